using System.Text.Json;
using PSContainers.Runtime.Spec;

using Xunit;

namespace PSContainers.Runtime.Tests.Integration;

/// <summary>create, start, state, kill, pause, resume, exec and delete behave as runc's do.</summary>
[Collection("pscrun")]
public sealed class LifecycleTests : IClassFixture<PscrunFixture>
{
    private readonly PscrunFixture _f;

    public LifecycleTests(PscrunFixture f)
    {
        _f = f;
    }

    [Fact]
    public void CreateStartKillDeleteWalksThroughTheOciStates()
    {
        var id = PscrunFixture.NewId();
        var bundle = _f.NewBundle(new[] { "sleep", "60" });
        try
        {
            var c = _f.Pscrun("create", "--bundle", bundle, "--pid-file", Path.Combine(bundle, "pid"), id);
            Assert.True(c.ExitCode == 0, c.ToString());
            var created = _f.State(id);
            Assert.Equal("created", created.Status);
            Assert.Equal(File.ReadAllText(Path.Combine(bundle, "pid")), created.Pid.ToString());
            Assert.Equal(bundle, created.Bundle);

            Assert.Equal(0, _f.Pscrun("start", id).ExitCode);
            Assert.Equal("running", _f.State(id).Status);
            Assert.Contains("sleep", File.ReadAllText($"/proc/{created.Pid}/cmdline"));

            Assert.Equal(0, _f.Pscrun("pause", id).ExitCode);
            Assert.Equal("paused", _f.State(id).Status);
            Assert.Equal(0, _f.Pscrun("resume", id).ExitCode);
            Assert.Equal("running", _f.State(id).Status);

            var refused = _f.Pscrun("delete", id);
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("not stopped", refused.Stderr);

            Assert.Equal(0, _f.Pscrun("kill", id, "KILL").ExitCode);
            WaitFor(() => _f.State(id).Status == "stopped");
            Assert.Equal(0, _f.Pscrun("delete", id).ExitCode);
            var gone = _f.Pscrun("state", id);
            Assert.NotEqual(0, gone.ExitCode);
            Assert.Contains("does not exist", gone.Stderr);
        }
        finally
        {
            _f.Pscrun("delete", "--force", id);
        }
    }

    [Fact]
    public void DeleteForceLeavesNoMountCgroupOrProcessBehind()
    {
        var id = PscrunFixture.NewId();
        var bundle = _f.NewBundle(new[] { "sh", "-c", "sleep 60 & sleep 60 & wait" }, spec => spec.Linux!.CgroupsPath = "/psc-test/" + id);
        Assert.Equal(0, _f.Pscrun("run", "-d", "--bundle", bundle, id).ExitCode);
        var pid = _f.State(id).Pid!.Value;
        var pids = File.ReadAllText($"/sys/fs/cgroup/pids/psc-test/{id}/cgroup.procs").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, pids.Length);

        Assert.Equal(0, _f.Pscrun("delete", "--force", id).ExitCode);

        foreach (var p in pids.Select(int.Parse).Append(pid))
        {
            // A zombie waiting for the host's init to reap it is gone for every purpose but its pid.
            Assert.Null(PSContainers.Runtime.Container.ProcStat.StartTime(p));
        }

        foreach (var controller in new[] { "memory", "pids", "cpu", "freezer", "devices", "blkio", "cpuset" })
        {
            Assert.False(Directory.Exists($"/sys/fs/cgroup/{controller}/psc-test/{id}"), $"{controller} cgroup left behind");
        }

        Assert.DoesNotContain(_f.Rootfs, File.ReadAllText("/proc/self/mountinfo"));
        Assert.False(Directory.Exists(Path.Combine(_f.StateRoot, id)));
    }

    [Fact]
    public void ExecRunsInTheContainersNamespacesAndReturnsTheExitCode()
    {
        var id = PscrunFixture.NewId();
        var bundle = _f.NewBundle(new[] { "sleep", "60" });
        try
        {
            Assert.Equal(0, _f.Pscrun("run", "-d", "--bundle", bundle, id).ExitCode);
            var e = _f.Pscrun("exec", "--env", "X=42", "--cwd", "/tmp", id, "sh", "-c", "hostname; echo $X; pwd; tr '\\0' ' ' < /proc/1/cmdline");
            Assert.True(e.ExitCode == 0, e.ToString());
            Assert.Equal(new[] { "psc-test", "42", "/tmp", "sleep 60 " }, e.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal(5, _f.Pscrun("exec", id, "sh", "-c", "exit 5").ExitCode);

            var processFile = Path.Combine(bundle, "process.json");
            File.WriteAllText(processFile, """{"args": ["sh", "-c", "id -u; echo $ONLY"], "env": ["ONLY=this", "PATH=/bin"], "cwd": "/", "user": {"uid": 123, "gid": 123}}""");
            var p = _f.Pscrun("exec", "--process", processFile, id);
            Assert.Equal(new[] { "123", "this" }, p.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));

            var ps = _f.Pscrun("ps", "--format", "json", id);
            Assert.Single(JsonSerializer.Deserialize<int[]>(ps.Stdout)!);
        }
        finally
        {
            _f.Pscrun("delete", "--force", id);
        }
    }

    [Fact]
    public void ProcessesStartWithEverySignalAtItsDefault()
    {
        // pscrun is a .NET process, which ignores SIGPIPE: without a reset `yes | head -1` would never end by SIGPIPE.
        var id = PscrunFixture.NewId();
        var bundle = _f.NewBundle(new[] { "sleep", "60" });
        try
        {
            Assert.Equal(0, _f.Pscrun("run", "-d", "--bundle", bundle, id).ExitCode);
            var init = _f.Pscrun("exec", id, "grep", "-E", "^Sig(Ign|Blk)", "/proc/1/status");
            Assert.Equal(new[] { "SigBlk:\t0000000000000000", "SigIgn:\t0000000000000000" }, init.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            var exec = _f.Pscrun("exec", id, "grep", "-E", "^Sig(Ign|Blk)", "/proc/self/status");
            Assert.Equal(new[] { "SigBlk:\t0000000000000000", "SigIgn:\t0000000000000000" }, exec.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            // 141 = 128 + SIGPIPE: the writer dies of the broken pipe as it would anywhere else.
            var pipe = _f.Pscrun("exec", id, "sh", "-c", "(yes; echo $? >&2) | head -1");
            Assert.Equal("y", pipe.Stdout.Trim());
            Assert.Equal("141", pipe.Stderr.Trim());
        }
        finally
        {
            _f.Pscrun("delete", "--force", id);
        }
    }

    [Fact]
    public void HooksRunAtTheirPhasesWithTheStateOnStdin()
    {
        var id = PscrunFixture.NewId();
        var log = Path.Combine(_f.WorkDir, id + ".hooks");
        Hook H(string phase) => new() { Path = "/bin/sh", Args = new List<string> { "sh", "-c", $"echo {phase} $(cat) >> {log}" } };
        // startContainer runs after the pivot: its path and its output live inside the container.
        var inside = "/tmp/" + id + ".start";
        var bundle = _f.NewBundle(new[] { "true" }, spec => spec.Hooks = new Hooks
        {
            Prestart = new List<Hook> { H("prestart") },
            CreateRuntime = new List<Hook> { H("createRuntime") },
            CreateContainer = new List<Hook> { H("createContainer") },
            StartContainer = new List<Hook> { new() { Path = "/bin/sh", Args = new List<string> { "sh", "-c", $"echo startContainer $(cat) > {inside}" } } },
            Poststart = new List<Hook> { H("poststart") },
            Poststop = new List<Hook> { H("poststop") },
        });
        var r = _f.Pscrun("run", "--bundle", bundle, id);
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = File.ReadAllLines(log);
        Assert.Equal(new[] { "prestart", "createRuntime", "createContainer", "poststart", "poststop" }, lines.Select(l => l.Split(' ')[0]));
        Assert.All(lines, l => Assert.Contains($"\"id\":\"{id}\"", l.Replace(" ", "")));
        var start = File.ReadAllText(Path.Combine(_f.Rootfs, inside.TrimStart('/')));
        Assert.StartsWith("startContainer", start);
        Assert.Contains($"\"id\":\"{id}\"", start.Replace(" ", ""));
        File.Delete(Path.Combine(_f.Rootfs, inside.TrimStart('/')));
    }

    [Fact]
    public void AFailingCreateContainerHookFailsCreateAndLeavesNothing()
    {
        var id = PscrunFixture.NewId();
        var bundle = _f.NewBundle(new[] { "true" }, spec =>
        {
            spec.Linux!.CgroupsPath = "/psc-test/" + id;
            spec.Hooks = new Hooks { CreateContainer = new List<Hook> { new() { Path = "/bin/sh", Args = new List<string> { "sh", "-c", "exit 7" } } } };
        });
        var r = _f.Pscrun("create", "--bundle", bundle, id);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("createContainer hook /bin/sh: exited with status 7", r.Stderr);
        Assert.False(Directory.Exists(Path.Combine(_f.StateRoot, id)));
        Assert.False(Directory.Exists($"/sys/fs/cgroup/memory/psc-test/{id}"));
    }

    [Fact]
    public void AContainerCanJoinTheNetworkNamespaceOfAnother()
    {
        var first = PscrunFixture.NewId();
        var second = PscrunFixture.NewId();
        try
        {
            Assert.Equal(0, _f.Pscrun("run", "-d", "--bundle", _f.NewBundle(new[] { "sleep", "60" }), first).ExitCode);
            var pid = _f.State(first).Pid!.Value;
            var theirs = new FileInfo($"/proc/{pid}/ns/net").LinkTarget;
            var r = _f.Run(new[] { "readlink", "/proc/self/ns/net" }, spec =>
            {
                var net = spec.Linux!.Namespaces!.First(n => n.Type == "network");
                net.Path = $"/proc/{pid}/ns/net";
            });
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal(theirs, r.Stdout.Trim());
            Assert.NotEqual(new FileInfo("/proc/self/ns/net").LinkTarget, theirs);
        }
        finally
        {
            _f.Pscrun("delete", "--force", first);
            _f.Pscrun("delete", "--force", second);
        }
    }

    [Fact]
    public void ABadConfigFailsClearlyAndLeavesNothing()
    {
        var id = PscrunFixture.NewId();
        var bundle = _f.NewBundle(new[] { "true" }, spec => spec.Process!.Args = new List<string>());
        var r = _f.Pscrun("create", "--bundle", bundle, id);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("args", r.Stderr);
        Assert.False(Directory.Exists(Path.Combine(_f.StateRoot, id)));
    }

    [Fact]
    public void AMissingExecutableFailsCreateAndLeavesNoCgroup()
    {
        var id = PscrunFixture.NewId();
        var bundle = _f.NewBundle(new[] { "/no/such/program" }, spec => spec.Linux!.CgroupsPath = "/psc-test/" + id);
        var r = _f.Pscrun("create", "--bundle", bundle, id);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("/no/such/program", r.Stderr);
        Assert.False(Directory.Exists(Path.Combine(_f.StateRoot, id)));
        Assert.False(Directory.Exists($"/sys/fs/cgroup/memory/psc-test/{id}"));
    }

    [Fact]
    public void ADuplicateIdIsRefused()
    {
        var id = PscrunFixture.NewId();
        var bundle = _f.NewBundle(new[] { "sleep", "60" });
        try
        {
            Assert.Equal(0, _f.Pscrun("create", "--bundle", bundle, id).ExitCode);
            var again = _f.Pscrun("create", "--bundle", bundle, id);
            Assert.Equal(1, again.ExitCode);
            Assert.Contains("already exists", again.Stderr);
            Assert.Equal("created", _f.State(id).Status);
        }
        finally
        {
            _f.Pscrun("delete", "--force", id);
        }
    }

    private static void WaitFor(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            Thread.Sleep(25);
        }

        Assert.True(condition(), "condition not reached in 5 s");
    }
}
