using System.Management.Automation;
using PSContainers.Core.Images;

namespace PSContainers.Cmdlets;

/// <summary>Remove-ContainerImage (docker rmi): untags a name, and removes the image with its last name; its unused layers go too.</summary>
[Cmdlet(VerbsCommon.Remove, "ContainerImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ImageDeleteResult))]
public sealed class RemoveContainerImageCommand : ImageCmdletBase
{
    /// <summary>
    /// A name (busybox:latest, repository@digest), an id or id prefix. Objects from Get-ContainerImage bind by their
    /// Reference: the name the object stands for (so each piped row untags its name), or the id of an image without one.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Reference", "Id", "Name")]
    [ArgumentCompleter(typeof(Completers.ImageNameCompleter))]
    public string[] Image { get; set; } = [];

    /// <summary>Remove an image with several names by id, or one that stopped containers use (they keep their layers).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Write what was untagged and deleted, as docker rmi prints it.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var image in Image)
        {
            if (!ShouldProcess(image, "Remove image"))
            {
                continue;
            }

            var results = Images(image, (service, _, ct) => service.Remove(image, Force, ct));
            foreach (var result in results ?? [])
            {
                WriteVerbose(result.ToString());
                if (PassThru)
                {
                    WriteObject(result);
                }
            }
        }
    }
}
