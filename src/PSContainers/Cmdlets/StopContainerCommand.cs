using System.Management.Automation;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

/// <summary>Stop-Container (docker stop): the stop signal, up to -Timeout seconds, then SIGKILL.</summary>
[Cmdlet(VerbsLifecycle.Stop, "Container", SupportsShouldProcess = true)]
[OutputType(typeof(ContainerInfo))]
public sealed class StopContainerCommand : ContainerIdentityCmdletBase
{
    /// <summary>The signal to send first; default the container's -StopSignal, else SIGTERM.</summary>
    [Parameter]
    public string? Signal { get; set; }

    /// <summary>Seconds to wait before SIGKILL; default the container's -StopTimeout, else 10.</summary>
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
            if (ShouldProcess(id, "Stop container") && Engine(id, (engine, ct) => engine.Stop(id, Signal, timeout, ct)) is { } info && PassThru)
            {
                WriteObject(info);
            }
        }
    }
}
