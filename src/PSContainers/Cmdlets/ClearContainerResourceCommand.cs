using System.Management.Automation;
using PSContainers.Core.Containers;
using PSContainers.Core.Images;
using PSContainers.Core.Network;

namespace PSContainers.Cmdlets;

/// <summary>Clear-ContainerResource (docker image prune / system prune for images): removes dangling images, then every blob and layer nothing uses.</summary>
[Cmdlet(VerbsCommon.Clear, "ContainerResource", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(ImagePruneResult), typeof(Core.Volumes.VolumePruneResult), typeof(NetworkPruneResult))]
public sealed class ClearContainerResourceCommand : ImageCmdletBase
{
    /// <summary>Remove every image no container uses, not only the dangling ones (docker image prune -a).</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    /// <summary>Also remove anonymous volumes no container uses (docker system prune --volumes).</summary>
    [Parameter]
    public SwitchParameter Volume { get; set; }

    /// <summary>Also remove every volume no container uses, named ones too (docker volume prune -a).</summary>
    [Parameter]
    public SwitchParameter AllVolumes { get; set; }

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

        if ((Volume || AllVolumes) && ShouldProcess(AllVolumes ? "volumes no container uses" : "anonymous volumes no container uses", "Remove"))
        {
            try
            {
                WriteObject(RunWithLogging((log, ct) => new Core.Volumes.VolumeService(logger: log).Prune(AllVolumes, ct)));
            }
            catch (Exception e) when (ToErrorRecord(e, "volumes") is { } record)
            {
                WriteError(record);
            }
        }

        // docker system prune also removes the networks no container uses (the default one stays).
        if (Engine("networks", (engine, ct) => ((IContainerNetworkService)engine).PruneNetworks(ct)) is { Count: > 0 } networks)
        {
            WriteObject(new NetworkPruneResult(networks));
        }
    }
}
