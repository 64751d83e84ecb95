using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using PSContainers.Runtime.Container;

namespace PSContainers.Runtime.Monitor;

/// <summary>Runs one container for the engine (as conmon does): sets it up, then hands over to a fresh image that waits for it.</summary>
/// <remarks>
/// This is the set-up half of a monitor: detach, the attach socket, the overlay, the container's stdio, create and
/// start. Then the process replaces its image (MonitorImage) with a fresh pscrun running <see cref="MonitorLoop"/>,
/// so what create allocated does not stay resident for the days the container may run. A restart comes back here
/// in a fresh image too.
/// </remarks>
public sealed class ContainerMonitor
{
    // A start that failed for another reason than the command (docker records 128 too).
    private const int FailedExitCode = 128;

    // How long the set-up image waits for a short command to end before it hands over to the waiting image.
    private const int LingerMs = 25;

    private readonly MonitorOptions _o;
    private readonly Lazy<LinuxContainerRuntime> _runtime;
    private readonly Lazy<ILogger> _log;
    private readonly MonitorStatus _status = new();
    private int _readyFd;

    public ContainerMonitor(MonitorOptions options, Lazy<LinuxContainerRuntime> runtime, Lazy<ILogger> logger)
    {
        _o = options;
        _runtime = runtime;
        _log = logger;
        _readyFd = options.ReadyFd;
    }

    /// <summary>Runs the container until its final exit; 0 when it ran, 1 when create or start failed.</summary>
    public int Run()
    {
        var first = _o.Handoff is null;
        var h = _o.Handoff ?? new MonitorHandoff();
        if (first)
        {
            Detach();
            Directory.CreateDirectory(_o.StateDir);
            WriteAtomically(_o.PidPath, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
            // The container must not inherit the engine's pipe or the client's socket, or their readers would never see them close.
            foreach (var fd in new[] { _readyFd, _o.AttachFd })
            {
                if (fd >= 0)
                {
                    Libc.Fcntl(fd, Consts.F_SETFD, Consts.FD_CLOEXEC);
                }
            }
        }
        else
        {
            foreach (var fd in h.Fds())
            {
                Libc.Fcntl(fd, Consts.F_SETFD, Consts.FD_CLOEXEC);
            }
        }

        _status.MonitorPid = Environment.ProcessId;
        _status.RestartCount = h.RestartCount;

        // Stop signals go to the container; the monitor itself stays until the container is gone and cleaned up.
        // They are blocked in every thread (MonitorSignals, from the start of the command or inherited through
        // execve): what comes while the container is made waits for the signalfd below or the next image's.
        MonitorStdio? stdio = null;
        try
        {
            if (first)
            {
                // Listening before the container exists: a client can attach as soon as the engine hears "1".
                h.Listen = UnixSocket.Listen(_o.AttachPath);
                if (_o.AttachFd >= 0)
                {
                    h.Clients.Add(_o.AttachFd);
                    h.StdinOwner = _o.OpenStdin ? _o.AttachFd : -1;
                }

                if (_o.Overlay is { } overlay)
                {
                    overlay.Mount();
                    h.OverlayMounted = true;
                }

                stdio = MonitorStdio.Open(_o.Tty);
            }
            else
            {
                stdio = MonitorStdio.FromHandoff(h);
            }

            stdio.PrepareRun(_o.Tty, _o.OpenStdin && !h.StdinClosed);
            CreateAndStart(stdio, h);
        }
        catch (Exception e)
        {
            return Fail(e, stdio, h);
        }

        SignalReady("1");

        // A short command (most `run --rm` in scripts) is over within moments: then this image finishes it. A
        // waiting image would only start, find the exit and hand back to pscrun (two execs and a runtime start).
        // Its output waits in the pipes meanwhile; the loop drains them as it records the exit. A stop signal
        // that came meanwhile, or while the container was made, reaches it now.
        var over = ExitsWithin(h, LingerMs);
        h.Phase = "wait";
        stdio.HandOver(h);
        stdio.Dispose();
        if (over)
        {
            // Reaped here, blocking: the pidfd turns readable a moment before the zombie can be waited for, and
            // its SIGCHLD came before the loop's signalfd exists. The loop then goes on as after pscmon's wait.
            try
            {
                h.ExitCode = LinuxContainerRuntime.WaitForExit(h.InitPid);
            }
            catch (SyscallException)
            {
                // ECHILD: someone else reaped it; its code is lost, as docker reports a lost exit code.
                h.ExitCode = -1;
            }

            h.Phase = "exited";
            return new MonitorLoop(_o with { Handoff = h }, h, _runtime, _log).Run();
        }

        MonitorImage.ReplaceWithWaiter(_o, h);
        MonitorImage.Replace(_o, h);

        // execve failed: wait in this image.
        _log.Value.LogWarning("the monitor of {Id} could not start a fresh image; it waits in its set-up image", _o.Id);
        return new MonitorLoop(_o with { Handoff = h }, h, _runtime, _log).Run();
    }

    private static void Detach()
    {
        // EPERM means this process leads its group already (then it is detached enough to survive its caller).
        Libc.Setsid();
        Libc.Check(Libc.Prctl(Consts.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "prctl", "PR_SET_CHILD_SUBREAPER");

        // Its own stdio is /dev/null: the engine starts it on pipes it closes at once, so nothing ties it to the
        // caller; and a caller that closed fds 0-2 would otherwise let the stdio pipes land on them.
        var devNull = Libc.Open("/dev/null", Consts.O_RDWR | Consts.O_CLOEXEC, 0);
        if (devNull >= 0)
        {
            for (var fd = 0; fd < 3; fd++)
            {
                Libc.Dup2(devNull, fd);
            }

            Libc.Close(devNull);
        }

        // The caller's working directory could be a mount someone wants to unmount while the container runs for days.
        Directory.SetCurrentDirectory("/");
    }

    private void CreateAndStart(MonitorStdio stdio, MonitorHandoff h)
    {
        ContainerRecord record;
        stdio.Redirect();
        try
        {
            record = _runtime.Value.Create(_o.Id, _o.Bundle, new CreateOptions { ConsoleSocketFd = stdio.ConsoleSocket });
            h.ContainerExists = true;
        }
        finally
        {
            stdio.Restore();
        }

        stdio.AfterCreate();
        _status.Status = MonitorStatus.Created;
        _status.Pid = record.Pid;
        WriteStatus(_o, _status);
        try
        {
            _runtime.Value.Start(record);
        }
        catch
        {
            DeleteQuietly(_runtime.Value, _o.Id, _log.Value);
            h.ContainerExists = false;
            throw;
        }

        var now = DateTime.UtcNow;
        _status.Status = MonitorStatus.Running;
        _status.StartedAt = MonitorStatus.FormatTime(now);
        WriteStatus(_o, _status);
        h.InitPid = record.Pid;
        h.StartedAt = _status.StartedAt;
        h.RunStartedTicks = now.Ticks;

        // Every run starts unchecked, as docker's does: starting, no failing streak, the earlier results kept.
        if (Health.HealthConfig.TryLoad(_o.Bundle) is not null)
        {
            var health = Health.HealthState.TryLoad(_o.StateDir) ?? new Health.HealthState();
            health.Reset();
            health.Save(_o.StateDir);
        }

        // Recorded here, before the engine hears "1", so a short command's die can never come before its start;
        // the starts of a restart policy are the monitor's own anyway.
        if (_o.EventsPath is { } journal)
        {
            Events.ContainerActor.Emit(journal, _o.Bundle, _o.Id, "start");
        }

        // A stop signal that came while the container was being made is pending: ExitsWithin passes it on.
    }

    /// <summary>
    /// Waits up to ms for the init to exit, leaving it unreaped; true when it did. Stop signals read meanwhile
    /// (SIGTERM, SIGINT) go to the init and are recorded in the handoff, so no restart follows.
    /// </summary>
    private static unsafe bool ExitsWithin(MonitorHandoff h, int ms)
    {
        var wanted = SigSet.Of(Consts.SIGTERM, Consts.SIGINT);
        var signals = Libc.SignalFd(-1, &wanted, Libc.SFD_NONBLOCK | Libc.SFD_CLOEXEC);
        var pidfd = Libc.PidfdOpen(h.InitPid);
        try
        {
            var pfds = stackalloc PollFd[2];
            pfds[0] = new PollFd { Fd = pidfd, Events = Consts.POLLIN };
            pfds[1] = new PollFd { Fd = signals, Events = Consts.POLLIN };
            var deadline = Environment.TickCount64 + ms;
            while (true)
            {
                SignalFdInfo info;
                while (signals >= 0 && Libc.Read(signals, (byte*)&info, sizeof(SignalFdInfo)) == sizeof(SignalFdInfo))
                {
                    h.StopSignal = (int)info.Signo;
                    Libc.Kill(h.InitPid, (int)info.Signo);
                }

                if (pidfd < 0 && Libc.ChildHasExited(h.InitPid))
                {
                    return true;
                }

                var left = deadline - Environment.TickCount64;
                if (left <= 0)
                {
                    return Libc.ChildHasExited(h.InitPid);
                }

                pfds[0].REvents = pfds[1].REvents = 0;
                if (Libc.Poll(pfds, 2, (int)Math.Min(left, pidfd < 0 ? 1 : left)) > 0 && pfds[0].REvents != 0)
                {
                    return true;
                }
            }
        }
        finally
        {
            foreach (var fd in new[] { pidfd, signals })
            {
                if (fd >= 0)
                {
                    Libc.Close(fd);
                }
            }
        }
    }

    private int Fail(Exception e, MonitorStdio? stdio, MonitorHandoff h)
    {
        _log.Value.LogError("{Error}", e.Message);
        _status.Status = MonitorStatus.Exited;
        _status.Pid = 0;
        _status.ExitCode = e is ContainerException { StartExitCode: var code } ? code : FailedExitCode;
        _status.Error = e.Message;
        _status.Restarting = false;
        _status.FinishedAt = MonitorStatus.FormatTime(DateTime.UtcNow);

        // The status first: the engine reads its exit code as soon as it hears the error.
        WriteStatus(_o, _status);
        if (_readyFd >= 0)
        {
            ReportNotReady(_readyFd, e.Message);
            _readyFd = -1;
        }

        if (h.ContainerExists)
        {
            DeleteQuietly(_runtime.Value, _o.Id, _log.Value);
        }

        stdio?.Dispose();
        foreach (var fd in new[] { h.OutRead, h.OutWrite, h.ErrRead, h.ErrWrite, h.StdinWrite, h.PtyMaster }.Where(fd => fd >= 0 && stdio is null))
        {
            Libc.Close(fd);
        }

        if (h.OverlayMounted && _o.Overlay is { } overlay)
        {
            try
            {
                overlay.Unmount();
            }
            catch (Exception u)
            {
                _log.Value.LogWarning("unmounting {Merged}: {Error}", overlay.Merged, u.Message);
            }
        }

        WriteStatus(_o, _status);
        MarkRemoved(_o);

        // Attached clients see the socket close without an exit frame: the start failed, status.json says why.
        foreach (var fd in h.Clients)
        {
            Libc.Close(fd);
        }

        if (h.Listen >= 0)
        {
            Libc.Close(h.Listen);
            File.Delete(_o.AttachPath);
        }

        return 1;
    }

    /// <summary>Deletes the runtime's container; a monitor only calls this for a container it created.</summary>
    internal static void DeleteQuietly(LinuxContainerRuntime runtime, string id, ILogger log)
    {
        try
        {
            runtime.Delete(id, force: true);
        }
        catch (ContainerNotFoundException)
        {
            // Create cleaned up after itself, or nothing was created.
        }
        catch (Exception e)
        {
            log.LogWarning("deleting container {Id}: {Error}", id, e.Message);
        }
    }

    private void SignalReady(string message)
    {
        if (_readyFd >= 0)
        {
            WriteAndClose(_readyFd, message);
            _readyFd = -1;
        }
    }

    /// <summary>Writes "error: MESSAGE" to a ready fd and closes it, for failures before a monitor exists.</summary>
    public static void ReportNotReady(int readyFd, string message) =>
        WriteAndClose(readyFd, "error: " + message.ReplaceLineEndings(" ") + "\n");

    private static unsafe void WriteAndClose(int fd, string message)
    {
        var bytes = Encoding.UTF8.GetBytes(message);
        fixed (byte* p = bytes)
        {
            Libc.Write(fd, p, bytes.Length);
        }

        Libc.Close(fd);
    }

    internal static void MarkRemoved(MonitorOptions o)
    {
        if (o.RemoveOnExit)
        {
            File.WriteAllText(o.RemovedPath, "");
        }
    }

    internal static void WriteStatus(MonitorOptions o, MonitorStatus status) => WriteAtomically(o.StatusPath, status.ToJson());

    // Readers see the old or the new file, never half of one.
    private static void WriteAtomically(string path, string text)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
