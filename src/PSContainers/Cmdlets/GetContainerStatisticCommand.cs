using System.Management.Automation;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

/// <summary>Get-ContainerStatistic (docker stats): CPU %, memory, pids and block I/O from the cgroup; -Stream repeats every second.</summary>
[Cmdlet(VerbsCommon.Get, "ContainerStatistic")]
[OutputType(typeof(ContainerStatistics))]
public sealed class GetContainerStatisticCommand : ContainerIdentityCmdletBase
{
    /// <summary>Keep sampling about once a second until Ctrl+C.</summary>
    [Parameter]
    public SwitchParameter Stream { get; set; }

    protected override void ProcessRecord()
    {
        do
        {
            foreach (var id in Id)
            {
                if (Engine(id, (engine, _) => engine.Stats(id)) is { } stats)
                {
                    WriteObject(stats);
                }
            }
        }
        while (Stream && !StopToken.WaitHandle.WaitOne(800));
    }
}
