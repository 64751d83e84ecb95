using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PSContainers.Runtime.Container;

namespace PSContainers.Runtime.Monitor;

/// <summary>Runs one container for the engine (as conmon does): owns its stdio and log, waits for it, restarts it, cleans up.</summary>
public sealed class ContainerMonitor
{
    private const int FailedExitCode = 127;
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    private readonly MonitorOptions _o;
    private readonly LinuxContainerRuntime _runtime;
    private readonly ILogger _log;
    private readonly MonitorStatus _status = new();
    private readonly ManualResetEventSlim _stopSignalled = new(false);
    private volatile int _initPid;
    private volatile int _stopSignal;
    private int _readyFd;
    private bool _overlayMounted;

    // Only a container this monitor created may be deleted by it: a failed create may mean the id belongs to another.
    private bool _containerExists;

    public ContainerMonitor(MonitorOptions options, LinuxContainerRuntime runtime, ILogger? logger = null)
    {
        _o = options;
        _runtime = runtime;
        _log = logger ?? NullLogger.Instance;
        _readyFd = options.ReadyFd;
    }

    /// <summary>Runs the container until its final exit; 0 when it ran, 1 when create or start failed.</summary>
    public int Run()
    {
        Detach();
        Directory.CreateDirectory(_o.StateDir);
        _status.MonitorPid = Environment.ProcessId;
        WriteAtomically(_o.PidPath, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        if (_readyFd >= 0)
        {
            // The container must not inherit the engine's pipe, or the engine would never see it close.
            Libc.Fcntl(_readyFd, Consts.F_SETFD, Consts.FD_CLOEXEC);
        }

        // Stop signals go to the container; the monitor itself stays until the container is gone and cleaned up.
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnStopSignal);
        using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnStopSignal);
        using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx => ctx.Cancel = true);

        MonitorStdio? stdio = null;
        LogWriter? logs = null;
        try
        {
            if (_o.Overlay is { } overlay)
            {
                overlay.Mount();
                _overlayMounted = true;
            }

            stdio = MonitorStdio.Open();
            logs = new LogWriter(_o.LogPath, stdio.OutRead, stdio.ErrRead);
            logs.Start();
        }
        catch (Exception e)
        {
            if (logs is null)
            {
                stdio?.CloseReadEnds();
            }

            return Fail(e, stdio, logs);
        }

        var backoff = FirstBackoff;
        while (true)
        {
            int pid;
            try
            {
                pid = CreateAndStart(stdio);
            }
            catch (Exception e)
            {
                return Fail(e, stdio, logs);
            }

            SignalReady("1");
            var started = DateTime.UtcNow;
            var code = WaitForInit(pid);
            _initPid = 0;
            RecordExit(code);

            var stop = _stopSignal != 0 || File.Exists(_o.StopRequestedPath);
            if (!_o.Restart.ShouldRestart(code, _status.RestartCount, stop))
            {
                break;
            }

            // A container that ran for a while starts over with a short delay, as docker does.
            if (DateTime.UtcNow - started >= MaxBackoff)
            {
                backoff = FirstBackoff;
            }

            _status.Restarting = true;
            WriteStatus();
            if (WaitForStop(backoff))
            {
                break;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            _status.RestartCount++;
        }

        _status.Restarting = false;
        Finish(stdio, logs);
        WriteStatus();
        MarkRemoved();
        return 0;
    }

    private static void Detach()
    {
        // EPERM means this process leads its group already (then it is detached enough to survive its caller).
        Libc.Setsid();
        Libc.Check(Libc.Prctl(Consts.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "prctl", "PR_SET_CHILD_SUBREAPER");

        // A caller that closed fds 0-2 would otherwise let the stdio pipes land on them and be overwritten by the swap.
        for (var fd = 0; fd < 3; fd++)
        {
            if (Libc.Fcntl(fd, Consts.F_GETFD, 0) < 0)
            {
                Libc.Open("/dev/null", Consts.O_RDWR, 0);
            }
        }

        // The caller's working directory could be a mount someone wants to unmount while the container runs for days.
        Directory.SetCurrentDirectory("/");
    }

    private int CreateAndStart(MonitorStdio stdio)
    {
        ContainerRecord record;
        stdio.Redirect();
        try
        {
            record = _runtime.Create(_o.Id, _o.Bundle, new CreateOptions());
            _containerExists = true;
        }
        finally
        {
            stdio.Restore();
        }

        _status.Status = MonitorStatus.Created;
        _status.Pid = record.Pid;
        _status.ExitCode = null;
        _status.OomKilled = false;
        _status.StartedAt = null;
        _status.FinishedAt = null;
        _status.Restarting = false;
        WriteStatus();
        try
        {
            _runtime.Start(_o.Id);
        }
        catch
        {
            DeleteQuietly();
            throw;
        }

        _status.Status = MonitorStatus.Running;
        _status.StartedAt = LogWriter.FormatTime(DateTime.UtcNow);
        WriteStatus();

        // A stop signal that came while the container was being made reaches it now.
        _initPid = record.Pid;
        if (_stopSignal is var signal and not 0)
        {
            Libc.Kill(record.Pid, signal);
        }

        return record.Pid;
    }

    private unsafe int WaitForInit(int pid)
    {
        while (true)
        {
            int status;
            // As subreaper the monitor also inherits the container's orphans: reap them as they come.
            var rc = Libc.WaitPid(-1, &status, 0);
            if (rc == pid)
            {
                var signal = status & 0x7f;
                return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
            }

            if (rc < 0)
            {
                var errno = Libc.LastErrno;
                if (errno == Errno.EINTR)
                {
                    continue;
                }

                _log.LogWarning("waitpid for the container's init {Pid} failed: {Errno}", pid, Errno.Name(errno));
                return 255;
            }
        }
    }

    private void RecordExit(int code)
    {
        try
        {
            _status.OomKilled = _runtime.OomKilled(_o.Id);
        }
        catch (Exception e)
        {
            _log.LogWarning("reading the OOM count of {Id}: {Error}", _o.Id, e.Message);
        }

        DeleteQuietly();
        _status.Status = MonitorStatus.Exited;
        _status.Pid = 0;
        _status.ExitCode = code;
        _status.FinishedAt = LogWriter.FormatTime(DateTime.UtcNow);
    }

    /// <summary>Sleeps the restart delay; true when the user stopped the container meanwhile.</summary>
    private bool WaitForStop(TimeSpan delay)
    {
        var deadline = DateTime.UtcNow + delay;
        while (true)
        {
            if (_stopSignal != 0 || File.Exists(_o.StopRequestedPath))
            {
                return true;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            // The engine's stop marker is a file, so look again at least every 100 ms.
            _stopSignalled.Wait(left < FirstBackoff ? left : FirstBackoff);
        }
    }

    private void OnStopSignal(PosixSignalContext ctx)
    {
        ctx.Cancel = true;
        var signal = ctx.Signal == PosixSignal.SIGINT ? Consts.SIGINT : Consts.SIGTERM;
        _stopSignal = signal;
        _stopSignalled.Set();
        var pid = _initPid;
        if (pid > 0)
        {
            Libc.Kill(pid, signal);
        }
    }

    private int Fail(Exception e, MonitorStdio? stdio, LogWriter? logs)
    {
        _log.LogError("{Error}", e.Message);
        if (_readyFd >= 0)
        {
            ReportNotReady(_readyFd, e.Message);
            _readyFd = -1;
        }

        DeleteQuietly();
        _status.Status = MonitorStatus.Exited;
        _status.Pid = 0;
        _status.ExitCode = FailedExitCode;
        _status.Error = e.Message;
        _status.Restarting = false;
        _status.FinishedAt = LogWriter.FormatTime(DateTime.UtcNow);
        Finish(stdio, logs);
        WriteStatus();
        MarkRemoved();
        return 1;
    }

    private void Finish(MonitorStdio? stdio, LogWriter? logs)
    {
        stdio?.CloseWriteEnds();
        if (logs is not null && !logs.WaitForEnd(TimeSpan.FromSeconds(5)))
        {
            _log.LogWarning("the output pipes of {Id} are still open; the log may miss its last lines", _o.Id);
        }

        logs?.Dispose();
        stdio?.Dispose();
        if (_overlayMounted)
        {
            try
            {
                _o.Overlay!.Unmount();
                _overlayMounted = false;
            }
            catch (Exception e)
            {
                _log.LogWarning("unmounting {Merged}: {Error}", _o.Overlay!.Merged, e.Message);
            }
        }
    }

    private void DeleteQuietly()
    {
        if (!_containerExists)
        {
            return;
        }

        try
        {
            _runtime.Delete(_o.Id, force: true);
            _containerExists = false;
        }
        catch (ContainerNotFoundException)
        {
            // Create cleaned up after itself, or nothing was created.
        }
        catch (Exception e)
        {
            _log.LogWarning("deleting container {Id}: {Error}", _o.Id, e.Message);
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

    private void MarkRemoved()
    {
        if (_o.RemoveOnExit)
        {
            File.WriteAllText(_o.RemovedPath, "");
        }
    }

    private void WriteStatus() =>
        WriteAtomically(_o.StatusPath, JsonSerializer.Serialize(_status, MonitorJsonContext.Default.MonitorStatus));

    // Readers see the old or the new file, never half of one.
    private static void WriteAtomically(string path, string text)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
