using System.Text.Json;
using PSContainers.Runtime.Container;
using PSContainers.Runtime.Spec;

using Xunit;

namespace PSContainers.Runtime.Tests.Integration;

/// <summary>`pscrun events` reports cgroup stats and OOM kills, and `state` marks an OOM-killed container.</summary>
[Collection("pscrun")]
public sealed class EventsTests : IClassFixture<PscrunFixture>
{
    private const string OomAnnotation = "io.pscontainers.oom-killed";
    private const long Limit = 32 << 20;

    private readonly PscrunFixture _f;

    public EventsTests(PscrunFixture f)
    {
        _f = f;
    }

    private string RunDetached(string id, string[] args)
    {
        var bundle = _f.NewBundle(args, spec =>
        {
            spec.Linux!.CgroupsPath = "/psc-test/" + id;
            spec.Linux.Resources = new LinuxResources { Memory = new LinuxMemory { Limit = Limit, Swap = Limit } };
            spec.Annotations = new Dictionary<string, string> { ["org.example.kept"] = "yes" };
        });
        var r = _f.Pscrun("run", "-d", "--bundle", bundle, id);
        Assert.True(r.ExitCode == 0, r.ToString());
        return bundle;
    }

    private static List<ContainerEvent> ParseLines(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonSerializer.Deserialize(l, ContainerEventJsonContext.Default.ContainerEvent)!)
            .ToList();

    [Fact]
    public void StatsOfARunningContainerShowItsLimitsAndUsage()
    {
        var id = PscrunFixture.NewId();
        try
        {
            RunDetached(id, new[] { "sleep", "60" });
            var r = _f.Pscrun("events", "--stats", id);
            Assert.True(r.ExitCode == 0, r.ToString());
            var events = ParseLines(r.Stdout);
            var e = Assert.Single(events);
            Assert.Equal("stats", e.Type);
            Assert.Equal(id, e.Id);
            Assert.NotNull(e.Data);
            Assert.Equal((ulong)Limit, e.Data.Memory.Usage.Limit);
            Assert.InRange(e.Data.Memory.Usage.Usage, 1UL, (ulong)Limit);
            Assert.True(e.Data.Pids.Current >= 1, r.Stdout);
            Assert.True(e.Data.Cpu.Usage.Total > 0, r.Stdout);
            Assert.Equal(0UL, e.Data.OomKills);

            var state = _f.State(id);
            Assert.Equal("running", state.Status);
            Assert.False(state.Annotations!.ContainsKey(OomAnnotation), r.Stdout);
            Assert.Equal("yes", state.Annotations["org.example.kept"]);
        }
        finally
        {
            _f.Pscrun("delete", "--force", id);
        }
    }

    [Fact]
    public void StreamingEventsReportAnOomKillAndEndWhenTheContainerStops()
    {
        var id = PscrunFixture.NewId();
        try
        {
            // The shell itself holds 64 MiB, so the OOM killer takes the container's init: the
            // container stops, its cgroup stays until delete.
            RunDetached(id, new[] { "sh", "-c", "sleep 2; x=$(head -c 67108864 /dev/zero | tr '\\0' a); sleep 60" });
            var r = _f.Pscrun(TimeSpan.FromSeconds(30), "events", "--interval", "500ms", id);
            Assert.True(r.ExitCode == 0, r.ToString());
            var events = ParseLines(r.Stdout);
            Assert.Contains(events, e => e.Type == "stats" && e.Id == id && e.Data!.Memory.Usage.Limit == (ulong)Limit);
            var oom = Assert.Single(events, e => e.Type == "oom");
            Assert.Equal(id, oom.Id);
            Assert.Null(oom.Data);

            var state = _f.State(id);
            Assert.Equal("stopped", state.Status);
            Assert.Equal("true", state.Annotations![OomAnnotation]);
            Assert.Equal("yes", state.Annotations["org.example.kept"]);

            var stats = ParseLines(_f.Pscrun("events", "--stats", id).Stdout).Single();
            Assert.True(stats.Data!.OomKills >= 1);
        }
        finally
        {
            _f.Pscrun("delete", "--force", id);
        }
    }

    [Fact]
    public void EventsOfAnUnknownContainerFail()
    {
        var r = _f.Pscrun("events", "--stats", PscrunFixture.NewId());
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("does not exist", r.Stderr);
    }

    [Fact]
    public void AnIntervalThatIsNotADurationIsRejected()
    {
        var r = _f.Pscrun("events", "--interval", "soon", PscrunFixture.NewId());
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("invalid duration", r.Stderr);
    }
}
