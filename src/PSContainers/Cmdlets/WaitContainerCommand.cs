using System.Management.Automation;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

/// <summary>Wait-Container (docker wait): blocks until containers exit and writes their exit codes.</summary>
[Cmdlet(VerbsLifecycle.Wait, "Container")]
[OutputType(typeof(ContainerExit))]
public sealed class WaitContainerCommand : ContainerIdentityCmdletBase
{
    protected override void ProcessRecord()
    {
        foreach (var id in Id)
        {
            if (Engine(id, (engine, ct) =>
                {
                    var code = engine.Wait(id, ct);
                    var info = engine.Get(id);
                    return new ContainerExit(info.Id, info.Name, code);
                }) is { } exit)
            {
                WriteObject(exit);
            }
        }
    }
}
