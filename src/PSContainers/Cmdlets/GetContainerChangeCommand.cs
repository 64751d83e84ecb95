using System.Management.Automation;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

/// <summary>Get-ContainerChange (docker diff): paths the container added, changed or deleted, whiteouts included.</summary>
[Cmdlet(VerbsCommon.Get, "ContainerChange")]
[OutputType(typeof(ContainerChange))]
public sealed class GetContainerChangeCommand : ContainerIdentityCmdletBase
{
    protected override void ProcessRecord()
    {
        foreach (var id in Id)
        {
            if (Engine(id, (engine, _) => engine.Diff(id)) is { } changes)
            {
                WriteObject(changes, enumerateCollection: true);
            }
        }
    }
}
