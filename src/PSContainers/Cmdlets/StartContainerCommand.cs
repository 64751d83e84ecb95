using System.Management.Automation;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

/// <summary>Start-Container (docker start): starts created or exited containers under a detached monitor.</summary>
[Cmdlet(VerbsLifecycle.Start, "Container", SupportsShouldProcess = true)]
[OutputType(typeof(ContainerInfo))]
public sealed class StartContainerCommand : ContainerIdentityCmdletBase
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var id in Id)
        {
            if (ShouldProcess(id, "Start container") && Engine(id, (engine, ct) => engine.Start(id, ct)) is { } info && PassThru)
            {
                WriteObject(info);
            }
        }
    }
}
