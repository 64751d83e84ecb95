using PSContainers.Core.Containers;
using PSContainers.Core.Events;
using PSContainers.Core.State;
using PSContainers.Runtime.Events;
using Xunit;

namespace PSContainers.Core.Tests.Events;

/// <summary>The journal's records, rotation and reading, and docker's filters and time forms.</summary>
public class EventJournalTests
{
    private static EngineEvent Event(string type, string action, string id, long nano, params (string, string)[] attributes) => new()
    {
        Type = type, Action = action, ActorId = id, TimeNano = nano, Attributes = attributes.ToDictionary(a => a.Item1, a => a.Item2),
    };

    [Fact]
    public void A_record_has_dockers_fields_and_parses_back()
    {
        var line = Event("container", "die", "abc", 1_714_557_600_123_456_789, ("name", "web"), ("image", "busybox"), ("exitCode", "3")).ToJsonLine();
        Assert.Contains("\"status\":\"die\"", line, StringComparison.Ordinal);
        Assert.Contains("\"from\":\"busybox\"", line, StringComparison.Ordinal);
        Assert.Contains("\"time\":1714557600,", line, StringComparison.Ordinal);
        Assert.Contains("\"timeNano\":1714557600123456789", line, StringComparison.Ordinal);
        Assert.Contains("\"Actor\":{\"ID\":\"abc\",\"Attributes\":{\"exitCode\":\"3\",\"image\":\"busybox\",\"name\":\"web\"}}", line, StringComparison.Ordinal);
        var back = EngineEvent.Parse(line)!;
        Assert.Equal("3", back.Attributes["exitCode"]);
        Assert.Null(EngineEvent.Parse("{\"Type\":\"container\""));
        Assert.Null(EngineEvent.Parse("[1,2]"));
    }

    [Fact]
    public void The_journal_rotates_past_its_bound_and_reads_both_generations_in_order()
    {
        using var dir = new TempDirectory();
        var journal = new EventJournal(Path.Combine(dir.Path, "events.jsonl"), maxBytes: 1000);
        for (var i = 0; i < 30; i++)
        {
            Assert.True(journal.Append(Event("volume", "create", $"v{i}", i)));
        }

        Assert.True(File.Exists(journal.RotatedPath));
        Assert.True(new FileInfo(journal.Path).Length < 1000 + 200);
        var read = journal.ReadAll().Select(e => e.TimeNano).ToList();
        Assert.Equal(29, read[^1]);
        Assert.Equal(read.OrderBy(n => n), read);
        // Older generations are gone: the journal stays bounded.
        Assert.True(read.Count < 30);
        Assert.True(new FileInfo(journal.Path).Length + new FileInfo(journal.RotatedPath).Length < 2 * (1000 + 200));
    }

    [Fact]
    public void A_line_still_being_written_is_left_for_the_next_read()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "events.jsonl");
        File.WriteAllText(path, "{\"a\":1}\n{\"b\":");
        var lines = EventJournal.ReadLinesFrom(path, 0, out var next);
        Assert.Equal(["{\"a\":1}"], lines);
        Assert.Equal(8, next);
    }

    [Fact]
    public void Filters_and_time_bounds_select_what_docker_would()
    {
        using var dir = new TempDirectory();
        var events = new EventService(new EnginePaths(dir.Path, dir.Path));
        var j = events.Journal;
        j.Append(Event("container", "start", "aaaa1111", 100, ("name", "web"), ("image", "busybox"), ("tier", "db")));
        j.Append(Event("container", "health_status: healthy", "aaaa1111", 200, ("name", "web"), ("image", "busybox")));
        j.Append(Event("container", "die", "bbbb2222", 300, ("name", "job"), ("image", "alpine:3"), ("exitCode", "1")));
        j.Append(Event("image", "pull", "busybox:latest", 400, ("name", "busybox:latest")));
        j.Append(Event("network", "connect", "nnnn", 500, ("name", "app"), ("container", "aaaa1111")));

        string[] Actions(EventFilter f, long? since = null, long? until = null) => events.Read(
            since is { } s ? DateTimeOffset.UnixEpoch.AddTicks(s / 100) : null,
            until is { } u ? DateTimeOffset.UnixEpoch.AddTicks(u / 100) : null, f).Select(e => e.Action).ToArray();

        Assert.Equal(["start", "health_status: healthy", "die"], Actions(EventFilter.Parse(["type=container"])));
        Assert.Equal(["health_status: healthy", "die"], Actions(EventFilter.Parse(["event=health_status", "event=die"])));
        Assert.Equal(["start", "health_status: healthy"], Actions(EventFilter.Parse(["container=web"])));
        Assert.Equal(["die"], Actions(EventFilter.Parse(["container=bbbb"])));
        Assert.Equal(["start", "health_status: healthy", "pull"], Actions(EventFilter.Parse(["image=busybox"])));
        Assert.Equal(["start"], Actions(EventFilter.Parse(["label=tier=db"])));
        Assert.Equal(["connect"], Actions(EventFilter.FromDictionary(new System.Collections.Hashtable { ["network"] = "app" })));
        Assert.Empty(Actions(EventFilter.Parse(["type=container", "event=pull"])));
        Assert.Equal(["health_status: healthy", "die", "pull"], Actions(new EventFilter(), since: 200, until: 400));
        Assert.Throws<ContainerEngineException>(() => EventFilter.Parse(["colour=red"]));
        Assert.Throws<ContainerEngineException>(() => EventFilter.Parse(["type"]));
    }

    [Fact]
    public void Since_and_until_take_dockers_forms()
    {
        var now = new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(now.AddMinutes(-10), EventTime.Parse("10m", "-Since", now));
        Assert.Equal(now.AddMinutes(-90), EventTime.Parse("1h30m", "-Since", now));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1714557600), EventTime.Parse("1714557600", "-Since", now));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1714557600500), EventTime.Parse("1714557600.5", "-Since", now));
        Assert.Equal(new DateTimeOffset(2026, 5, 1, 10, 0, 0, TimeSpan.Zero), EventTime.Parse("2026-05-01T10:00:00Z", "-Since", now));
        Assert.Contains("-Until", Assert.Throws<ContainerEngineException>(() => EventTime.Parse("yesterday", "-Until", now)).Message);
    }

    [Fact]
    public void Follow_with_an_until_that_has_passed_replays_from_since_and_ends()
    {
        using var dir = new TempDirectory();
        var events = new EventService(new EnginePaths(dir.Path, dir.Path));
        var now = EngineEvent.NowNano();
        events.Journal.Append(Event("volume", "create", "a", now - 3_000_000_000));
        events.Journal.Append(Event("volume", "destroy", "a", now - 2_000_000_000));
        var until = DateTimeOffset.UtcNow.AddSeconds(-1);
        using var cancel = new CancellationTokenSource();
        var got = events.Follow(DateTimeOffset.UtcNow.AddMinutes(-1), until, null, cancel.Token).Select(e => e.Action).ToList();
        Assert.Equal(["create", "destroy"], got);
    }
}
