using System.Management.Automation;
using PSContainers.Core.Images;

namespace PSContainers.Cmdlets;

/// <summary>Get-ContainerImageHistory (docker history): the steps that built an image, newest first, with the size of each layer.</summary>
[Cmdlet(VerbsCommon.Get, "ContainerImageHistory")]
[OutputType(typeof(ImageHistoryItem))]
public sealed class GetContainerImageHistoryCommand : ImageCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id", "Name")]
    [ArgumentCompleter(typeof(Completers.ImageNameCompleter))]
    public string Image { get; set; } = "";

    protected override void ProcessRecord()
    {
        foreach (var item in Images(Image, (service, _, _) => service.History(Image)) ?? [])
        {
            WriteObject(item);
        }
    }
}
