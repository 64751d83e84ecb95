using System.Collections;
using System.Management.Automation;
using PSContainers.Core.Containers;
using PSContainers.Core.Events;

namespace PSContainers.Cmdlets;

/// <summary>Get-ContainerEvent (docker events): what the engine did to containers, images, networks and volumes, recorded or as it happens.</summary>
[Cmdlet(VerbsCommon.Get, "ContainerEvent")]
[OutputType(typeof(ContainerEvent))]
public sealed class GetContainerEventCommand : ContainerCmdletBase
{
    /// <summary>Events from this time: a DateTime, a duration back from now ('10m'), an RFC 3339 time or Unix seconds.</summary>
    [Parameter]
    [ValidateNotNull]
    public object? Since { get; set; }

    /// <summary>Events up to this time (same forms as -Since); with -Follow, it stops following then.</summary>
    [Parameter]
    [ValidateNotNull]
    public object? Until { get; set; }

    /// <summary>docker's filters: a hashtable (@{ type = 'container'; event = 'start','die' }) or key=value strings (type, event, container, image, network, volume, label).</summary>
    [Parameter]
    [ValidateNotNull]
    public object? Filter { get; set; }

    /// <summary>Keep writing events as they are recorded until Ctrl+C (or -Until passes); without -Since, only new ones.</summary>
    [Parameter]
    public SwitchParameter Follow { get; set; }

    protected override void ProcessRecord()
    {
        DateTimeOffset? since = null, until = null;
        EventFilter filter;
        try
        {
            var now = DateTimeOffset.Now;
            since = Time(Since, "-Since", now);
            until = Time(Until, "-Until", now);
            filter = Filter switch
            {
                null => new EventFilter(),
                PSObject { BaseObject: IDictionary t } => EventFilter.FromDictionary(t),
                IDictionary t => EventFilter.FromDictionary(t),
                PSObject { BaseObject: string s } => EventFilter.Parse([s]),
                string s => EventFilter.Parse([s]),
                PSObject { BaseObject: IEnumerable e } => EventFilter.Parse(e.Cast<object>().Select(o => o.ToString()!)),
                IEnumerable e => EventFilter.Parse(e.Cast<object>().Select(o => o.ToString()!)),
                _ => EventFilter.Parse([Filter.ToString()!]),
            };
        }
        catch (ContainerEngineException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, e.ErrorId, ErrorCategory.InvalidArgument, null));
            return;
        }

        Stream<ContainerEvent>("events", (engine, add, ct) =>
        {
            var events = Follow ? engine.Events.Follow(since, until, filter, ct) : engine.Events.Read(since, until, filter);
            foreach (var e in events)
            {
                add(e);
            }
        }, WriteObject);
    }

    private static DateTimeOffset? Time(object? value, string parameter, DateTimeOffset now) => (value is PSObject p ? p.BaseObject : value) switch
    {
        null => null,
        DateTime d => new DateTimeOffset(d.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(d, DateTimeKind.Local) : d),
        DateTimeOffset o => o,
        var other => EventTime.Parse(other.ToString()!, parameter, now),
    };
}
