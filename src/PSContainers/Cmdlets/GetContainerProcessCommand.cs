using System.Management.Automation;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

/// <summary>Get-ContainerProcess (docker top): the processes in a container's cgroup.</summary>
[Cmdlet(VerbsCommon.Get, "ContainerProcess")]
[OutputType(typeof(ContainerProcessInfo))]
public sealed class GetContainerProcessCommand : ContainerIdentityCmdletBase
{
    protected override void ProcessRecord()
    {
        foreach (var id in Id)
        {
            if (Engine(id, (engine, _) => engine.Top(id)) is { } processes)
            {
                WriteObject(processes, enumerateCollection: true);
            }
        }
    }
}
