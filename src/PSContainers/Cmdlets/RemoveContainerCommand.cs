using System.Management.Automation;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

/// <summary>Remove-Container (docker rm): deletes containers and their writable layer; -Force for running ones.</summary>
[Cmdlet(VerbsCommon.Remove, "Container", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
public sealed class RemoveContainerCommand : ContainerIdentityCmdletBase
{
    /// <summary>Kill a running container first, and clean up one whose monitor died.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Also delete the container's anonymous volumes that no other container uses (docker rm -v); named volumes stay.</summary>
    [Parameter]
    public SwitchParameter Volumes { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var id in Id)
        {
            if (ShouldProcess(id, "Remove container"))
            {
                Engine(id, (engine, ct) =>
                {
                    engine.Remove(id, Force, Volumes, ct);
                    return true;
                });
            }
        }
    }
}
