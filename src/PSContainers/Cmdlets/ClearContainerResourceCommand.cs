using System.Management.Automation;
using PSContainers.Core.Images;

namespace PSContainers.Cmdlets;

/// <summary>Clear-ContainerResource (docker image prune / system prune for images): removes dangling images, then every blob and layer nothing uses.</summary>
[Cmdlet(VerbsCommon.Clear, "ContainerResource", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(ImagePruneResult))]
public sealed class ClearContainerResourceCommand : ImageCmdletBase
{
    /// <summary>Remove every image no container uses, not only the dangling ones (docker image prune -a).</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    /// <summary>Also empty the build cache, so the layers only it held are removed too (docker builder prune).</summary>
    [Parameter]
    public SwitchParameter BuildCache { get; set; }

    protected override void ProcessRecord()
    {
        if (!ShouldProcess((All ? "images no container uses, unused layers and blobs" : "dangling images, unused layers and blobs") + (BuildCache ? ", the build cache" : ""), "Remove"))
        {
            return;
        }

        if (Images("prune", (service, _, ct) => service.Prune(All, BuildCache, ct)) is { } result)
        {
            WriteObject(result);
        }
    }
}
