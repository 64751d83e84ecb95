using System.Management.Automation;
using PSContainers.Core.Images;

namespace PSContainers.Cmdlets;

/// <summary>Add-ContainerImageTag (docker tag): gives an image another name; the name moves if another image had it.</summary>
[Cmdlet(VerbsCommon.Add, "ContainerImageTag", SupportsShouldProcess = true)]
[OutputType(typeof(ContainerImage))]
public sealed class AddContainerImageTagCommand : ImageCmdletBase
{
    /// <summary>The image: a name, an id or id prefix; piped images bind by Id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ArgumentCompleter(typeof(Completers.ImageNameCompleter))]
    public string Image { get; set; } = "";

    /// <summary>New names: repository[:tag] (":latest" when no tag is given).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public string[] Tag { get; set; } = [];

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        ContainerImage? last = null;
        foreach (var tag in Tag)
        {
            if (ShouldProcess(Image, $"Tag as {tag}"))
            {
                last = Images(tag, (service, _, _) => service.Tag(Image, tag)) ?? last;
            }
        }

        if (PassThru && last is not null)
        {
            WriteObject(AsImageObject(last));
        }
    }
}
