using System.Management.Automation;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

/// <summary>Restart-Container (docker restart): stop, then start again.</summary>
[Cmdlet(VerbsLifecycle.Restart, "Container", SupportsShouldProcess = true)]
[OutputType(typeof(ContainerInfo))]
public sealed class RestartContainerCommand : ContainerIdentityCmdletBase
{
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int Timeout { get; set; } = -1;

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        TimeSpan? timeout = Timeout >= 0 ? TimeSpan.FromSeconds(Timeout) : null;
        foreach (var id in Id)
        {
            if (ShouldProcess(id, "Restart container") && Engine(id, (engine, ct) => engine.Restart(id, timeout, ct)) is { } info && PassThru)
            {
                WriteObject(info);
            }
        }
    }
}
