using System.Management.Automation;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

/// <summary>Get-ContainerLog (docker logs): one object per line the container wrote (Time, Stream, Text).</summary>
[Cmdlet(VerbsCommon.Get, "ContainerLog")]
[OutputType(typeof(ContainerLogEntry))]
public sealed class GetContainerLogCommand : ContainerIdentityCmdletBase
{
    /// <summary>Keep writing new lines until the container stops (or Ctrl+C).</summary>
    [Parameter]
    public SwitchParameter Follow { get; set; }

    /// <summary>Only the last N lines (of what is there when the command starts).</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int Tail { get; set; } = -1;

    [Parameter]
    public DateTime Since { get; set; }

    protected override void ProcessRecord()
    {
        int? tail = Tail >= 0 ? Tail : null;
        DateTimeOffset? since = MyInvocation.BoundParameters.ContainsKey(nameof(Since)) ? new DateTimeOffset(Since.ToUniversalTime()) : null;
        foreach (var id in Id)
        {
            Stream<ContainerLogEntry>(id, (engine, add, ct) =>
            {
                foreach (var entry in engine.ReadLog(id, Follow, tail, since, ct))
                {
                    add(entry);
                }
            }, WriteObject);
        }
    }
}
