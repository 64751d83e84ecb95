using System.Text.Json;
using PSContainers.Runtime.Container;
using PSContainers.Runtime.Spec;

using Xunit;

namespace PSContainers.Runtime.Tests.Integration;

/// <summary>kill --all, list, features and spec answer as runc's do.</summary>
[Collection("pscrun")]
public sealed class CliCommandTests : IClassFixture<PscrunFixture>
{
    private readonly PscrunFixture _f;

    public CliCommandTests(PscrunFixture f)
    {
        _f = f;
    }

    [Fact]
    public void KillAllKillsEveryProcessOfTheContainer()
    {
        var id = PscrunFixture.NewId();
        // Without a pid namespace, killing the init alone would leave its children running: only --all gets them.
        var bundle = _f.NewBundle(new[] { "sh", "-c", "sleep 60 & sleep 60 & wait" }, spec =>
        {
            spec.Linux!.Namespaces!.RemoveAll(n => n.Type == "pid");
            spec.Linux.CgroupsPath = "/psc-test/" + id;
        });
        try
        {
            var r = _f.Pscrun("run", "-d", "--bundle", bundle, id);
            Assert.True(r.ExitCode == 0, r.ToString());
            var procs = $"/sys/fs/cgroup/pids/psc-test/{id}/cgroup.procs";
            WaitFor(() => ReadPids(procs).Length == 3);
            var pids = ReadPids(procs);

            var k = _f.Pscrun("kill", "--all", id, "9");
            Assert.True(k.ExitCode == 0, k.ToString());

            WaitFor(() => pids.All(p => ProcStat.StartTime(p) is null));
            WaitFor(() => _f.State(id).Status == "stopped");
        }
        finally
        {
            _f.Pscrun("delete", "--force", id);
        }
    }

    [Fact]
    public void ListShowsARunningContainerAsJsonAndQuietly()
    {
        var id = PscrunFixture.NewId();
        var bundle = _f.NewBundle(new[] { "sleep", "60" });
        try
        {
            var r = _f.Pscrun("run", "-d", "--bundle", bundle, id);
            Assert.True(r.ExitCode == 0, r.ToString());

            var json = _f.Pscrun("list", "--format", "json");
            Assert.True(json.ExitCode == 0, json.ToString());
            using var doc = JsonDocument.Parse(json.Stdout);
            var entry = Assert.Single(doc.RootElement.EnumerateArray(), e => e.GetProperty("id").GetString() == id);
            Assert.Equal("running", entry.GetProperty("status").GetString());
            Assert.Equal(_f.State(id).Pid, entry.GetProperty("pid").GetInt32());
            Assert.Equal(bundle, entry.GetProperty("bundle").GetString());

            var quiet = _f.Pscrun("list", "-q");
            Assert.True(quiet.ExitCode == 0, quiet.ToString());
            Assert.Contains(id, quiet.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        finally
        {
            _f.Pscrun("delete", "--force", id);
        }
    }

    [Fact]
    public void FeaturesIsJsonNamingHooksAndNamespaces()
    {
        var r = _f.Pscrun("features");
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.Stdout);
        var hooks = doc.RootElement.GetProperty("hooks").EnumerateArray().Select(h => h.GetString()).ToList();
        Assert.Superset(new HashSet<string?> { "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop" }, hooks.ToHashSet());
        var namespaces = doc.RootElement.GetProperty("linux").GetProperty("namespaces").EnumerateArray().Select(n => n.GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "cgroup", "ipc", "mount", "network", "pid", "user", "uts" }, namespaces);
    }

    [Fact]
    public void SpecWritesATemplateThatRunsOnceArgsAndRootAreSetAndRefusesToOverwriteIt()
    {
        var bundle = Path.Combine(_f.WorkDir, "spec-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(bundle);
        var s = _f.Pscrun("spec", "--bundle", bundle);
        Assert.True(s.ExitCode == 0, s.ToString());
        var config = Path.Combine(bundle, "config.json");

        var spec = SpecLoader.Load(bundle);
        spec.Root!.Path = _f.Rootfs;
        spec.Process!.Args = new List<string> { "echo", "from the template" };
        // The template asks for a terminal, as runc's does; this test has no console socket to give.
        spec.Process.Terminal = false;
        File.WriteAllText(config, SpecLoader.Serialize(spec));
        var run = _f.Pscrun("run", "--bundle", bundle, PscrunFixture.NewId());
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("from the template\n", run.Stdout);

        var before = File.ReadAllText(config);
        var again = _f.Pscrun("spec", "--bundle", bundle);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("exists", again.Stderr);
        Assert.Equal(before, File.ReadAllText(config));
    }

    private static int[] ReadPids(string procs) =>
        File.Exists(procs) ? File.ReadAllText(procs).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray() : Array.Empty<int>();

    private static void WaitFor(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            Thread.Sleep(25);
        }

        Assert.True(condition(), "condition not reached in 5 s");
    }
}
