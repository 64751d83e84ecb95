using PSContainers.Core.State;
using PSContainers.Runtime.Events;

namespace PSContainers.Core.Events;

/// <summary>The engine's events (docker events): records them in the journal under the run root and reads them back, or follows it.</summary>
public sealed class EventService
{
    /// <summary>How often -Follow looks at the journal: a bounded poll, so a quiet engine costs one stat() per period.</summary>
    public static readonly TimeSpan FollowPoll = TimeSpan.FromMilliseconds(200);

    public EventService(EnginePaths? paths = null)
    {
        Paths = paths ?? EnginePaths.FromEnvironment();
        Journal = new EventJournal(Path.Combine(Paths.RunRoot, EventJournal.FileName));
    }

    public EnginePaths Paths { get; }

    public EventJournal Journal { get; }

    /// <summary>Records an event; a failure to write it never fails the operation it describes.</summary>
    public void Emit(string type, string action, string actorId, IReadOnlyDictionary<string, string>? attributes = null)
    {
        Directory.CreateDirectory(Paths.RunRoot);
        Journal.Append(new EngineEvent
        {
            Type = type, Action = action, ActorId = actorId, Attributes = attributes ?? new Dictionary<string, string>(), TimeNano = EngineEvent.NowNano(),
        });
    }

    /// <summary>The recorded events between since and until (both inclusive, either open) that pass the filter, oldest first.</summary>
    public IEnumerable<ContainerEvent> Read(DateTimeOffset? since, DateTimeOffset? until, EventFilter? filter)
    {
        var from = since is { } s ? ToNano(s) : long.MinValue;
        var to = until is { } u ? ToNano(u) : long.MaxValue;
        foreach (var e in Journal.ReadAll())
        {
            if (e.TimeNano >= from && e.TimeNano <= to && ContainerEvent.From(e) is var ce && (filter?.Matches(ce) ?? true))
            {
                yield return ce;
            }
        }
    }

    /// <summary>
    /// The events from since (none of the past when null) and then each new one as it is recorded, until the
    /// until time passes or the token is cancelled.
    /// </summary>
    public IEnumerable<ContainerEvent> Follow(DateTimeOffset? since, DateTimeOffset? until, EventFilter? filter, CancellationToken cancellationToken)
    {
        var to = until is { } u ? ToNano(u) : long.MaxValue;
        // Where the journal ends now: what is recorded from here on is new.
        var offset = new FileInfo(Journal.Path) is { Exists: true } f ? f.Length : 0;
        var identity = Identity(Journal.Path);
        var replayed = long.MinValue;
        if (since is not null)
        {
            foreach (var e in Read(since, until, filter))
            {
                replayed = e.TimeNano;
                yield return e;
            }
        }

        while (!cancellationToken.IsCancellationRequested && EngineEvent.NowNano() <= to)
        {
            var lines = new List<string>();
            var now = Identity(Journal.Path);
            if (now != identity)
            {
                // Rotated: the rest of the old file is .1 now, and the new file is read from its start.
                lines.AddRange(EventJournal.ReadLinesFrom(Journal.RotatedPath, offset, out _));
                identity = now;
                offset = 0;
            }

            lines.AddRange(EventJournal.ReadLinesFrom(Journal.Path, offset, out offset));
            foreach (var line in lines)
            {
                // What the replay above already wrote (recorded while it read) is not written twice.
                if (EngineEvent.Parse(line) is { } e && e.TimeNano <= to && e.TimeNano > replayed && ContainerEvent.From(e) is var ce && (filter?.Matches(ce) ?? true))
                {
                    yield return ce;
                }
            }

            if (cancellationToken.WaitHandle.WaitOne(FollowPoll))
            {
                yield break;
            }
        }
    }

    private static long ToNano(DateTimeOffset t) => (t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    /// <summary>The journal file's inode, to notice a rotation; 0 when there is none.</summary>
    private static ulong Identity(string path)
    {
        return Native.LibcAt.Lstat(path, out Native.StatInfo info) ? info.Ino : 0;
    }
}
