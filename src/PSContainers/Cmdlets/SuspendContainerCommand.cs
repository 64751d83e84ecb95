using System.Management.Automation;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

/// <summary>Suspend-Container (docker pause): freezes every process of the container.</summary>
[Cmdlet(VerbsLifecycle.Suspend, "Container", SupportsShouldProcess = true)]
[OutputType(typeof(ContainerInfo))]
public sealed class SuspendContainerCommand : ContainerIdentityCmdletBase
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var id in Id)
        {
            if (ShouldProcess(id, "Suspend container") && Engine(id, (engine, _) => engine.Pause(id)) is { } info && PassThru)
            {
                WriteObject(info);
            }
        }
    }
}
