using System.Diagnostics;
using System.Text.Json;
using PSContainers.Native;
using PSContainers.Runtime.Container;
using PSContainers.Runtime.Monitor;
using PSContainers.Runtime.Spec;
using OciSpec = PSContainers.Runtime.Spec.Spec;

using Xunit;

namespace PSContainers.Runtime.Tests.Integration;

/// <summary>`pscrun monitor` runs a container detached, logs its output, records its exit, restarts it and cleans up.</summary>
[Collection("pscrun")]
public sealed partial class MonitorTests : IClassFixture<PscrunFixture>
{
    private readonly PscrunFixture _f;

    public MonitorTests(PscrunFixture f)
    {
        _f = f;
    }

    [Fact]
    public void OutputIsLoggedPerStreamAndTheExitCodeIsRecorded()
    {
        var run = NewRun(new[] { "sh", "-c", "echo out1; echo err1 >&2; echo out2; printf partial; exit 3" });
        try
        {
            var before = DateTime.UtcNow;
            StartMonitor(run);
            var status = WaitForFinalStatus(run);
            var after = DateTime.UtcNow;

            Assert.Equal("exited", status.GetProperty("status").GetString());
            Assert.Equal(3, status.GetProperty("exitCode").GetInt32());
            Assert.Equal(0, status.GetProperty("pid").GetInt32());
            Assert.False(status.GetProperty("oomKilled").GetBoolean());
            Assert.Equal(0, status.GetProperty("restartCount").GetInt32());
            Assert.Equal(run.MonitorPid, status.GetProperty("monitorPid").GetInt32());
            Assert.NotNull(status.GetProperty("startedAt").GetString());
            Assert.NotNull(status.GetProperty("finishedAt").GetString());

            var lines = ReadLog(run);
            Assert.Equal(new[] { "out1", "out2", "partial" }, lines.Where(l => l.Stream == "stdout").Select(l => l.Text));
            Assert.Equal(new[] { "err1" }, lines.Where(l => l.Stream == "stderr").Select(l => l.Text));
            foreach (var line in lines)
            {
                Assert.EndsWith("Z", line.Time);
                var time = DateTime.Parse(line.Time, null, System.Globalization.DateTimeStyles.AdjustToUniversal);
                Assert.InRange(time, before.AddSeconds(-1), after.AddSeconds(1));
            }

            AssertContainerGone(run);
        }
        finally
        {
            Cleanup(run);
        }
    }

    [Fact]
    public void AMonitorStartedWithClosedStdioStillLogsTheContainer()
    {
        var run = NewRun(new[] { "sh", "-c", "echo out; echo err >&2" });
        try
        {
            StartDetached(run, "exec \"$0\" \"$@\" <&- >&- 2>&- &", Array.Empty<string>());
            WaitForMonitorPid(run);
            var status = WaitForFinalStatus(run);

            Assert.Equal(0, status.GetProperty("exitCode").GetInt32());
            var lines = ReadLog(run);
            Assert.Equal(new[] { ("stderr", "err"), ("stdout", "out") }, lines.Select(l => (l.Stream, l.Text)).OrderBy(x => x.Stream));
        }
        finally
        {
            Cleanup(run);
        }
    }

    [Fact]
    public void AnOverlayIsMountedForTheContainerAndUnmountedAfterIt()
    {
        var layers = Path.Combine(_f.WorkDir, "layers-" + Guid.NewGuid().ToString("N")[..8]);
        var (upper, work, merged) = (Path.Combine(layers, "upper"), Path.Combine(layers, "work"), Path.Combine(layers, "merged"));
        foreach (var d in new[] { upper, work, merged })
        {
            Directory.CreateDirectory(d);
        }

        var run = NewRun(new[] { "sh", "-c", "echo written > /newfile; cat /newfile" }, spec => spec.Root!.Path = merged);
        run.Merged = merged;
        try
        {
            StartMonitor(run, "--overlay", $"{_f.Rootfs},{upper},{work},{merged}");
            var status = WaitForFinalStatus(run);

            Assert.True(status.GetProperty("exitCode").GetInt32() == 0, status.ToString());
            Assert.Equal("written", ReadLog(run).Single(l => l.Stream == "stdout").Text);
            Assert.Equal("written\n", File.ReadAllText(Path.Combine(upper, "newfile")));
            Assert.False(File.Exists(Path.Combine(_f.Rootfs, "newfile")));
            Assert.False(OverlayMount.IsMountPoint(merged), $"{merged} is still mounted");
            Assert.False(File.Exists(Path.Combine(merged, "newfile")));
            AssertContainerGone(run);
        }
        finally
        {
            Cleanup(run);
        }
    }

    [Fact]
    public void AnOomKillIsRecordedBeforeTheCgroupIsDeleted()
    {
        var run = NewRun(new[] { "sh", "-c", "x=$(head -c 67108864 /dev/zero | tr '\\0' a); echo survived ${#x}" }, spec =>
            spec.Linux!.Resources = new LinuxResources { Memory = new LinuxMemory { Limit = 32 << 20, Swap = 32 << 20 } });
        try
        {
            StartMonitor(run);
            var status = WaitForFinalStatus(run);

            Assert.Equal(137, status.GetProperty("exitCode").GetInt32());
            Assert.True(status.GetProperty("oomKilled").GetBoolean());
            Assert.DoesNotContain(ReadLog(run), l => l.Text.StartsWith("survived", StringComparison.Ordinal));
            AssertContainerGone(run);
        }
        finally
        {
            Cleanup(run);
        }
    }

    [Fact]
    public void OnFailureRestartsUpToTheLimit()
    {
        var run = NewRun(new[] { "sh", "-c", "echo run; exit 1" });
        try
        {
            StartMonitor(run, "--restart", "on-failure:2");
            var status = WaitForFinalStatus(run);

            Assert.Equal(1, status.GetProperty("exitCode").GetInt32());
            Assert.Equal(2, status.GetProperty("restartCount").GetInt32());
            Assert.False(status.GetProperty("restarting").GetBoolean());
            Assert.Equal(3, ReadLog(run).Count(l => l.Stream == "stdout" && l.Text == "run"));
            AssertContainerGone(run);
        }
        finally
        {
            Cleanup(run);
        }
    }

    [Fact]
    public void AStopRequestPreventsRestartsAndRemoveOnExitLeavesTheMarker()
    {
        var run = NewRun(new[] { "sh", "-c", "echo run; exit 1" });
        try
        {
            File.WriteAllText(Path.Combine(run.StateDir, "stop-requested"), "");
            StartMonitor(run, "--restart", "always", "--remove-on-exit");
            var status = WaitForFinalStatus(run);

            Assert.Equal(0, status.GetProperty("restartCount").GetInt32());
            Assert.True(File.Exists(Path.Combine(run.StateDir, "removed-by-monitor")));
            Assert.True(Directory.Exists(run.StateDir));
        }
        finally
        {
            Cleanup(run);
        }
    }

    [Fact]
    public void SigtermToTheMonitorStopsTheContainerAndCleansUp()
    {
        // Without a pid namespace sleep is not an init, which ignores signals it has no handler for.
        var run = NewRun(new[] { "sleep", "100" }, spec => spec.Linux!.Namespaces!.RemoveAll(n => n.Type == LinuxNamespaceType.Pid));
        try
        {
            StartMonitor(run);
            var running = WaitForStatus(run, s => s.GetProperty("status").GetString() == "running");
            var pid = running.GetProperty("pid").GetInt32();
            Assert.Contains("sleep", File.ReadAllText($"/proc/{pid}/cmdline"));

            Assert.Equal(0, Libc.Kill(run.MonitorPid, Consts.SIGTERM));
            var status = WaitForFinalStatus(run);

            Assert.Equal(143, status.GetProperty("exitCode").GetInt32());
            Assert.Null(ProcStat.StartTime(pid));
            AssertContainerGone(run);
        }
        finally
        {
            Cleanup(run);
        }
    }

    [Fact]
    public void SigtermToTheMonitorEndsAnAlwaysRestartedContainerForGood()
    {
        var run = NewRun(new[] { "sleep", "100" }, spec => spec.Linux!.Namespaces!.RemoveAll(n => n.Type == LinuxNamespaceType.Pid));
        try
        {
            StartMonitor(run, "--restart", "always");
            WaitForStatus(run, s => s.GetProperty("status").GetString() == "running");

            Assert.Equal(0, Libc.Kill(run.MonitorPid, Consts.SIGTERM));
            var status = WaitForFinalStatus(run);

            Assert.Equal(143, status.GetProperty("exitCode").GetInt32());
            Assert.Equal(0, status.GetProperty("restartCount").GetInt32());
            AssertContainerGone(run);
        }
        finally
        {
            Cleanup(run);
        }
    }

    [Fact]
    public void KillingTheMonitorLeavesTheContainerRunning()
    {
        var run = NewRun(new[] { "sleep", "100" });
        try
        {
            StartMonitor(run);
            var pid = WaitForStatus(run, s => s.GetProperty("status").GetString() == "running").GetProperty("pid").GetInt32();

            Assert.Equal(0, Libc.Kill(run.MonitorPid, Consts.SIGKILL));
            WaitFor(() => ProcStat.StartTime(run.MonitorPid) is null, "the monitor did not die");

            Assert.NotNull(ProcStat.StartTime(pid));
            Assert.Equal("running", _f.State(run.Id).Status);
        }
        finally
        {
            Cleanup(run);
        }
    }

    [Fact]
    public void TheReadyFdGetsOneOnSuccess()
    {
        var run = NewRun(new[] { "true" });
        try
        {
            var ready = StartMonitorWithReadyFd(run);
            Assert.Equal("1", ready);
            Assert.Equal(0, WaitForFinalStatus(run).GetProperty("exitCode").GetInt32());
        }
        finally
        {
            Cleanup(run);
        }
    }

    [Fact]
    public void AFailedCreateIsReportedOnTheReadyFdAndInTheStatus()
    {
        var missing = Path.Combine(_f.WorkDir, "no-such-rootfs-" + Guid.NewGuid().ToString("N")[..8]);
        var run = NewRun(new[] { "true" }, spec => spec.Root!.Path = missing);
        try
        {
            var ready = StartMonitorWithReadyFd(run);
            Assert.StartsWith("error: ", ready);
            Assert.Contains(missing, ready);

            var status = WaitForFinalStatus(run);
            Assert.Equal("exited", status.GetProperty("status").GetString());
            Assert.Equal(128, status.GetProperty("exitCode").GetInt32());
            Assert.Contains(missing, status.GetProperty("error").GetString());
            AssertContainerGone(run);
        }
        finally
        {
            Cleanup(run);
        }
    }

    [Theory]
    [InlineData("/no-such-command", 127, "executable file not found")]
    [InlineData("/etc", 126, "EISDIR")]
    public void ACommandThatCannotRunGetsDockersExitCodeInTheStatus(string command, int code, string reason)
    {
        var run = NewRun(new[] { command });
        try
        {
            var ready = StartMonitorWithReadyFd(run);
            Assert.StartsWith("error: ", ready);
            Assert.Contains(reason, ready);
            var status = WaitForFinalStatus(run);
            Assert.Equal(code, status.GetProperty("exitCode").GetInt32());
            AssertContainerGone(run);
        }
        finally
        {
            Cleanup(run);
        }
    }

    [Fact]
    public void AMonitorForAnIdInUseFailsWithoutTouchingThatContainer()
    {
        var run = NewRun(new[] { "sleep", "100" });
        try
        {
            Assert.Equal(0, _f.Pscrun("run", "-d", "--bundle", run.Bundle, run.Id).ExitCode);
            var pid = _f.State(run.Id).Pid!.Value;

            var ready = StartMonitorWithReadyFd(run);
            Assert.StartsWith("error: ", ready);
            Assert.Contains("already exists", ready);
            var status = WaitForFinalStatus(run);
            Assert.Equal(128, status.GetProperty("exitCode").GetInt32());

            Assert.NotNull(ProcStat.StartTime(pid));
            Assert.Equal("running", _f.State(run.Id).Status);
        }
        finally
        {
            Cleanup(run);
        }
    }

    [Fact]
    public void ABadFlagValueIsReportedOnTheReadyFd()
    {
        var run = NewRun(new[] { "true" });
        try
        {
            var ready = StartMonitorWithReadyFd(run, expectMonitor: false, "--restart", "sometimes");
            Assert.StartsWith("error: invalid restart policy", ready);
            Assert.False(File.Exists(Path.Combine(run.StateDir, "monitor.pid")));
        }
        finally
        {
            Cleanup(run);
        }
    }

    private sealed class Run
    {
        public required string Id { get; init; }

        public required string Bundle { get; init; }

        public required string StateDir { get; init; }

        public string? Merged { get; set; }

        public int MonitorPid { get; set; }
    }

    private sealed record LogLine(string Time, string Stream, string Text);

    private Run NewRun(string[] args, Action<OciSpec>? edit = null, string? stateDir = null)
    {
        var id = PscrunFixture.NewId();
        var bundle = _f.NewBundle(args, spec =>
        {
            spec.Linux!.CgroupsPath = "/psc-test/" + id;
            edit?.Invoke(spec);
        });
        stateDir = Path.Combine(stateDir ?? _f.WorkDir, "monitor-" + id);
        Directory.CreateDirectory(stateDir);
        return new Run { Id = id, Bundle = bundle, StateDir = stateDir };
    }

    private void StartMonitor(Run run, params string[] extra)
    {
        // The shell backgrounds the monitor and exits: the monitor is nobody's child, as when the engine starts it.
        StartDetached(run, "exec \"$0\" \"$@\" </dev/null >/dev/null 2>&1 &", extra);
        WaitForMonitorPid(run);
    }

    private string StartMonitorWithReadyFd(Run run, bool expectMonitor = true, params string[] extra)
    {
        var fifo = Path.Combine(run.StateDir, "ready.fifo");
        Assert.Equal(0, LibcFs.Mkfifo(fifo, 0x180));
        // Opening a fifo for reading blocks until the monitor's shell opens it for writing.
        var reader = Task.Run(() => File.ReadAllText(fifo));
        StartDetached(run, "exec \"$0\" \"$@\" </dev/null >/dev/null 2>&1 3>\"$PSC_READY\" &", extra.Concat(new[] { "--ready-fd", "3" }).ToArray(), fifo);
        Assert.True(reader.Wait(TimeSpan.FromSeconds(10)), "the ready fd was not closed in 10 s");
        if (expectMonitor)
        {
            WaitForMonitorPid(run);
        }

        return reader.Result;
    }

    private void StartDetached(Run run, string script, string[] extra, string? readyFifo = null, string? waitImage = null)
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        foreach (var a in new[] { _f.Binary, "monitor", "--runtime-root", _f.StateRoot, "--bundle", run.Bundle, "--id", run.Id, "--state-dir", run.StateDir }.Concat(extra))
        {
            psi.ArgumentList.Add(a);
        }

        if (readyFifo is not null)
        {
            psi.Environment["PSC_READY"] = readyFifo;
        }

        // The monitor waits in pscmon when it sits next to pscrun; PSCRUN_MONITOR_WAIT=pscrun keeps it in pscrun.
        if (waitImage is not null)
        {
            psi.Environment["PSCRUN_MONITOR_WAIT"] = waitImage;
        }

        using var sh = System.Diagnostics.Process.Start(psi)!;
        Assert.True(sh.WaitForExit(TimeSpan.FromSeconds(10)));
    }

    private static void WaitForMonitorPid(Run run)
    {
        var pidFile = Path.Combine(run.StateDir, "monitor.pid");
        WaitFor(() => File.Exists(pidFile), "monitor.pid was not written");
        run.MonitorPid = int.Parse(File.ReadAllText(pidFile).Trim());
    }

    private static JsonElement WaitForStatus(Run run, Func<JsonElement, bool> condition)
    {
        JsonElement? last = null;
        WaitFor(() => (last = ReadStatus(run)) is { } s && condition(s), "status.json did not reach the expected state");
        return last!.Value;
    }

    /// <summary>The final status: exited, not restarting, and the monitor gone (so its cleanup is done).</summary>
    private static JsonElement WaitForFinalStatus(Run run)
    {
        var status = WaitForStatus(run, s => s.GetProperty("status").GetString() == "exited" && !s.GetProperty("restarting").GetBoolean());
        WaitFor(() => ProcStat.StartTime(run.MonitorPid) is null, "the monitor did not exit");
        return ReadStatus(run) ?? status;
    }

    private static JsonElement? ReadStatus(Run run)
    {
        var path = Path.Combine(run.StateDir, "status.json");
        if (!File.Exists(path))
        {
            return null;
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }

    // The log file appears with the container's first line: until then there is nothing to read, not an error.
    private static List<LogLine> ReadLog(Run run) =>
        (File.Exists(Path.Combine(run.StateDir, "container.log")) ? File.ReadAllLines(Path.Combine(run.StateDir, "container.log")) : [])
            .Select(l =>
            {
                using var doc = JsonDocument.Parse(l);
                var e = doc.RootElement;
                return new LogLine(e.GetProperty("time").GetString()!, e.GetProperty("stream").GetString()!, e.GetProperty("text").GetString()!);
            })
            .ToList();

    private void AssertContainerGone(Run run)
    {
        var state = _f.Pscrun("state", run.Id);
        Assert.NotEqual(0, state.ExitCode);
        Assert.False(Directory.Exists(Path.Combine(_f.StateRoot, run.Id)));
        foreach (var controller in new[] { "memory", "pids", "cpu", "freezer", "devices" })
        {
            Assert.False(Directory.Exists($"/sys/fs/cgroup/{controller}/psc-test/{run.Id}"), $"{controller} cgroup left behind");
        }
    }

    private void Cleanup(Run run)
    {
        if (run.MonitorPid > 0 && ProcStat.StartTime(run.MonitorPid) is not null)
        {
            Libc.Kill(run.MonitorPid, Consts.SIGKILL);
            WaitFor(() => ProcStat.StartTime(run.MonitorPid) is null, "the monitor did not die", assert: false);
        }

        if (Directory.Exists(Path.Combine(_f.StateRoot, run.Id)))
        {
            _f.Pscrun("delete", "--force", run.Id);
        }

        if (run.Merged is not null && OverlayMount.IsMountPoint(run.Merged))
        {
            Libc.Umount2(run.Merged, Consts.MNT_DETACH);
        }
    }

    private static void WaitFor(Func<bool> condition, string message, bool assert = true)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            Thread.Sleep(50);
        }

        if (assert)
        {
            Assert.True(condition(), message + " in 10 s");
        }
    }
}
