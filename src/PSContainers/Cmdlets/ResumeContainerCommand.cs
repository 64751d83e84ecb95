using System.Management.Automation;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

/// <summary>Resume-Container (docker unpause): thaws a suspended container.</summary>
[Cmdlet(VerbsLifecycle.Resume, "Container", SupportsShouldProcess = true)]
[OutputType(typeof(ContainerInfo))]
public sealed class ResumeContainerCommand : ContainerIdentityCmdletBase
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var id in Id)
        {
            if (ShouldProcess(id, "Resume container") && Engine(id, (engine, _) => engine.Resume(id)) is { } info && PassThru)
            {
                WriteObject(info);
            }
        }
    }
}
