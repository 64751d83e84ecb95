using System.Management.Automation;
using PSContainers.Core.Volumes;

namespace PSContainers.Cmdlets;

/// <summary>Remove-ContainerVolume (docker volume rm): deletes volumes and their data; refused while a container uses them.</summary>
[Cmdlet(VerbsCommon.Remove, "ContainerVolume", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
public sealed class RemoveContainerVolumeCommand : VolumeCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completers.VolumeNameCompleter))]
    public string[] Name { get; set; } = [];

    /// <summary>Remove a volume that only stopped containers use (they get an empty volume of that name at their next start); running users still hold it.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            if (ShouldProcess(name, "Remove volume"))
            {
                Volumes(name, (service, ct) =>
                {
                    service.Remove(name, Force, ct);
                    return true;
                });
            }
        }
    }
}
