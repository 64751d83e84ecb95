using Microsoft.Extensions.Logging;
using PSContainers.Runtime.Container;

namespace PSContainers.Runtime.Monitor;

/// <summary>The waiting half of a monitor: one thread, one poll loop over the container's output, signals and attach clients.</summary>
/// <remarks>
/// It runs in a fresh image of pscrun (see MonitorHandoff), so the heap the set-up grew is gone, and it allocates
/// nothing while the container runs: output goes through one mapped scratch area whose pages are handed back to
/// the kernel after a second without output. Signals come through a signalfd (they are blocked since before the
/// execve), so no signal thread exists. After the init exits it records the exit, then restarts the container
/// through a set-up image, or cleans up and ends.
/// </remarks>
public sealed unsafe class MonitorLoop
{
    private const int ReadSize = 16 * 1024;
    private const int StdinChunk = 4096;
    private const int PendingOutOffset = 0;
    private const int PendingErrOffset = LogSink.MaxLine;
    private const int LogOutputOffset = 2 * LogSink.MaxLine;
    private const int ReadOffset = LogOutputOffset + LogSink.OutputSize;
    private const int StdinOffset = ReadOffset + AttachProtocol.HeaderSize + ReadSize + 3;
    private const int ScratchSize = (StdinOffset + StdinChunk + 4095) & ~4095;
    private const int IdleReleaseMs = 1000;
    private const int RestartCheckMs = 100;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    // Kinds of poll entries.
    private const int KSignal = 0, KOut = 1, KErr = 2, KPty = 3, KListen = 4, KClient = 5, KStdin = 6;

    private readonly MonitorOptions _o;
    private readonly MonitorHandoff _h;
    private readonly Lazy<LinuxContainerRuntime> _runtime;
    private readonly Lazy<ILogger> _log;
    private readonly List<AttachConnection> _clients = [];
    private readonly MonitorStatus _status = new();
    private byte* _scratch;
    private LogSink _sink = null!;
    private int _signalFd = -1;
    private int _logFd = -1;
    private bool _dirty;
    private int _stdinPendingStart;
    private int _stdinPendingEnd;
    private int _exitCode = -1;

    public MonitorLoop(MonitorOptions options, MonitorHandoff handoff, Lazy<LinuxContainerRuntime> runtime, Lazy<ILogger> logger)
    {
        _o = options;
        _h = handoff;
        _runtime = runtime;
        _log = logger;
    }

    /// <summary>Waits for the container, restarts it or finishes; 0 when the monitor's work is done.</summary>
    public int Run()
    {
        var blocked = SigSet.Of(Consts.SIGCHLD, Consts.SIGTERM, Consts.SIGINT, Consts.SIGHUP, Consts.SIGPIPE);
        Libc.PthreadSigmask(Libc.SIG_BLOCK, &blocked, null);
        var wanted = SigSet.Of(Consts.SIGCHLD, Consts.SIGTERM, Consts.SIGINT, Consts.SIGHUP);
        _signalFd = Libc.SignalFd(-1, &wanted, Libc.SFD_NONBLOCK | Libc.SFD_CLOEXEC);
        Libc.Check(_signalFd, "signalfd");
        foreach (var fd in _h.Fds())
        {
            Libc.Fcntl(fd, Consts.F_SETFD, Consts.FD_CLOEXEC);
        }

        foreach (var fd in new[] { _h.OutRead, _h.ErrRead, _h.PtyMaster, _h.StdinWrite })
        {
            SetNonBlocking(fd);
        }

        foreach (var fd in _h.Clients)
        {
            SetNonBlocking(fd);
            _clients.Add(new AttachConnection(fd));
        }

        if (_h.ExeFd >= 0)
        {
            // pscmon executed this image through it; it is of no further use.
            Libc.Close(_h.ExeFd);
            _h.ExeFd = -1;
        }

        _logFd = _h.LogFd >= 0 ? _h.LogFd : Libc.Open(_o.LogPath, Consts.O_WRONLY | Consts.O_APPEND | Consts.O_CREAT | Consts.O_CLOEXEC, 0x1A0);
        _h.LogFd = -1;
        Libc.Check(_logFd, "open", _o.LogPath);
        _scratch = (byte*)Libc.Mmap(null, ScratchSize, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0);
        if (_scratch == (byte*)-1)
        {
            throw new SyscallException("mmap", null, Libc.LastErrno);
        }

        _sink = new LogSink(_logFd, _scratch + PendingOutOffset, _scratch + PendingErrOffset, _scratch + LogOutputOffset, _o.Tty);
        _status.Status = MonitorStatus.Running;
        _status.Pid = _h.InitPid;
        _status.MonitorPid = Environment.ProcessId;
        _status.StartedAt = _h.StartedAt;
        _status.RestartCount = _h.RestartCount;

        if (_h.Phase == "exited")
        {
            // pscmon waited for the container; its init has exited and its last output is in the log.
            _exitCode = _h.ExitCode;
        }
        else
        {
            // A stop that came while the container was being set up reaches it now.
            if (_h.StopSignal != 0)
            {
                Libc.Kill(_h.InitPid, _h.StopSignal);
            }

            Reap();
            while (_exitCode < 0)
            {
                Pump(_dirty ? IdleReleaseMs : -1, acceptClients: true);
            }
        }

        RecordExit();
        var stop = StopRequested();
        if (_o.Restart.ShouldRestart(_exitCode, _h.RestartCount, stop))
        {
            if (WaitToRestart())
            {
                return Restart();
            }
        }

        return Finish();
    }

    /// <summary>One poll round: output to the log and the clients, signals, clients' frames. False on timeout.</summary>
    private bool Pump(int timeoutMs, bool acceptClients, bool readOutput = true)
    {
        var capacity = 8 + _clients.Count;
        var pfds = stackalloc PollFd[capacity];
        var kinds = stackalloc int[capacity];
        var refs = stackalloc int[capacity];
        var n = 0;
        n = Add(pfds, kinds, refs, n, _signalFd, Consts.POLLIN, KSignal, 0);

        // Output waits while a client has not taken the last of it: the container then blocks, as on a full pipe.
        var clientsBacklogged = false;
        foreach (var c in _clients)
        {
            clientsBacklogged |= c.HasPending;
        }

        if (readOutput && !clientsBacklogged)
        {
            if (_h.OutRead >= 0)
            {
                n = Add(pfds, kinds, refs, n, _h.OutRead, Consts.POLLIN, KOut, 0);
            }

            if (_h.ErrRead >= 0)
            {
                n = Add(pfds, kinds, refs, n, _h.ErrRead, Consts.POLLIN, KErr, 0);
            }

            if (_h.PtyMaster >= 0)
            {
                n = Add(pfds, kinds, refs, n, _h.PtyMaster, Consts.POLLIN, KPty, 0);
            }
        }

        if (acceptClients && _h.Listen >= 0)
        {
            n = Add(pfds, kinds, refs, n, _h.Listen, Consts.POLLIN, KListen, 0);
        }

        if (StdinTarget < 0)
        {
            _stdinPendingStart = _stdinPendingEnd = 0;
        }

        var stdinBlocked = _stdinPendingEnd > _stdinPendingStart;
        if (stdinBlocked)
        {
            n = Add(pfds, kinds, refs, n, StdinTarget, Consts.POLLOUT, KStdin, 0);
        }

        for (var i = 0; i < _clients.Count; i++)
        {
            var c = _clients[i];
            short events = 0;
            if (!stdinBlocked)
            {
                events |= Consts.POLLIN;
            }

            if (c.HasPending)
            {
                events |= Consts.POLLOUT;
            }

            n = Add(pfds, kinds, refs, n, c.Fd, events, KClient, i);
        }

        var ready = Libc.Poll(pfds, (ulong)n, timeoutMs);
        if (ready < 0)
        {
            return true;
        }

        if (ready == 0)
        {
            ReleaseScratch();
            return false;
        }

        for (var i = 0; i < n; i++)
        {
            var revents = pfds[i].REvents;
            if (revents == 0)
            {
                continue;
            }

            switch (kinds[i])
            {
                case KSignal:
                    ReadSignals();
                    break;
                case KOut:
                    ReadOutput(0, AttachProtocol.Stdout);
                    break;
                case KErr:
                    ReadOutput(1, AttachProtocol.Stderr);
                    break;
                case KPty:
                    ReadOutput(2, AttachProtocol.Stdout);
                    break;
                case KListen:
                    Accept();
                    break;
                case KStdin:
                    FlushStdin();
                    break;
                case KClient:
                    var client = _clients[refs[i]];
                    if ((revents & Consts.POLLOUT) != 0 && !client.Flush())
                    {
                        Drop(client);
                    }
                    else if ((revents & (Consts.POLLIN | Consts.POLLHUP | Consts.POLLERR)) != 0 && !client.Closed)
                    {
                        ReadClient(client);
                    }

                    break;
            }
        }

        _clients.RemoveAll(c => c.Closed);
        return true;
    }

    private static int Add(PollFd* pfds, int* kinds, int* refs, int n, int fd, short events, int kind, int index)
    {
        pfds[n] = new PollFd { Fd = fd, Events = events };
        kinds[n] = kind;
        refs[n] = index;
        return n + 1;
    }

    private void ReadSignals()
    {
        SignalFdInfo info;
        while (Libc.Read(_signalFd, (byte*)&info, sizeof(SignalFdInfo)) == sizeof(SignalFdInfo))
        {
            var signal = (int)info.Signo;
            if (signal == Consts.SIGCHLD)
            {
                Reap();
            }
            else if (signal is Consts.SIGTERM or Consts.SIGINT)
            {
                // Stop signals go to the container; the monitor stays until it is gone and cleaned up.
                _h.StopSignal = signal;
                if (_exitCode < 0 && _h.InitPid > 0)
                {
                    Libc.Kill(_h.InitPid, signal);
                }
            }
        }
    }

    /// <summary>Reaps every exited child: the init (its status is the container's exit code) and the orphans a subreaper inherits.</summary>
    private void Reap()
    {
        while (true)
        {
            int status;
            var pid = Libc.WaitPid(-1, &status, Consts.WNOHANG);
            if (pid <= 0)
            {
                return;
            }

            if (pid == _h.InitPid)
            {
                _exitCode = LinuxContainerRuntime.ExitCodeOf(status);
            }
        }
    }

    /// <summary>Reads one chunk of output (stream 0, 1, or 2 for the pty) into the log and to every client.</summary>
    private bool ReadOutput(int stream, byte type)
    {
        var fd = stream switch { 0 => _h.OutRead, 1 => _h.ErrRead, _ => _h.PtyMaster };
        var frame = _scratch + ReadOffset;
        var data = frame + AttachProtocol.HeaderSize;
        nint got;
        do
        {
            got = Libc.Read(fd, data, ReadSize);
        }
        while (got < 0 && Libc.LastErrno == Errno.EINTR);

        if (got < 0 && Libc.LastErrno == Errno.EAGAIN)
        {
            return false;
        }

        _dirty = true;
        var logStream = stream == 2 ? 0 : stream;
        if (got <= 0)
        {
            // End of file, or EIO from a pty master whose last slave closed: that output is over.
            _sink.FlushPartial(logStream);
            Libc.Close(fd);
            switch (stream)
            {
                case 0: _h.OutRead = -1; break;
                case 1: _h.ErrRead = -1; break;
                default: _h.PtyMaster = -1; break;
            }

            return false;
        }

        _sink.Append(logStream, data, (int)got);
        AttachProtocol.WriteHeader(new Span<byte>(frame, AttachProtocol.HeaderSize), type, (int)got);
        Broadcast(frame, AttachProtocol.HeaderSize + (int)got);
        return true;
    }

    private void Broadcast(byte* frame, int length)
    {
        foreach (var c in _clients)
        {
            if (!c.Send(frame, length))
            {
                Drop(c);
            }
        }
    }

    private void Accept()
    {
        while (true)
        {
            var fd = Libc.Accept4(_h.Listen, null, null, Consts.SOCK_CLOEXEC | Libc.SOCK_NONBLOCK);
            if (fd < 0)
            {
                return;
            }

            _clients.Add(new AttachConnection(fd));
        }
    }

    private void ReadClient(AttachConnection c)
    {
        var buffer = _scratch + StdinOffset;
        while (!c.Closed && _stdinPendingEnd == _stdinPendingStart)
        {
            if (c.HeaderRead < AttachProtocol.HeaderSize)
            {
                fixed (byte* h = c.Header)
                {
                    var n = Libc.Read(c.Fd, h + c.HeaderRead, AttachProtocol.HeaderSize - c.HeaderRead);
                    if (!Received(c, n))
                    {
                        return;
                    }

                    c.HeaderRead += (int)n;
                }

                if (c.HeaderRead < AttachProtocol.HeaderSize)
                {
                    continue;
                }

                var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(c.Header.AsSpan(1));
                if (length is < 0 or > AttachProtocol.MaxPayload)
                {
                    Drop(c);
                    return;
                }

                c.PayloadLeft = length;
                c.ControlRead = 0;
                if (length == 0)
                {
                    EndFrame(c);
                }

                continue;
            }

            var want = Math.Min(c.PayloadLeft, c.FrameType == AttachProtocol.Stdin ? StdinChunk : c.Control.Length - c.ControlRead);
            if (want <= 0)
            {
                // A control payload longer than any we know: read it into the void.
                want = Math.Min(c.PayloadLeft, StdinChunk);
            }

            var got = Libc.Read(c.Fd, buffer, want);
            if (!Received(c, got))
            {
                return;
            }

            c.PayloadLeft -= (int)got;
            if (c.FrameType == AttachProtocol.Stdin)
            {
                WriteStdin(buffer, (int)got);
            }
            else
            {
                var keep = Math.Min((int)got, c.Control.Length - c.ControlRead);
                new ReadOnlySpan<byte>(buffer, keep).CopyTo(c.Control.AsSpan(c.ControlRead));
                c.ControlRead += keep;
            }

            if (c.PayloadLeft == 0)
            {
                EndFrame(c);
            }
        }
    }

    /// <summary>False when nothing more can be read now; a closed or failed client is dropped.</summary>
    private bool Received(AttachConnection c, nint n)
    {
        if (n > 0)
        {
            return true;
        }

        if (n < 0 && Libc.LastErrno is Errno.EAGAIN or Errno.EINTR)
        {
            return false;
        }

        Drop(c);
        return false;
    }

    private void EndFrame(AttachConnection c)
    {
        switch (c.FrameType)
        {
            case AttachProtocol.CloseStdin:
                CloseStdin();
                break;
            case AttachProtocol.Resize when c.ControlRead >= AttachProtocol.ResizePayloadSize && _h.PtyMaster >= 0:
                var size = new WinSize
                {
                    Rows = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(c.Control),
                    Cols = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(c.Control.AsSpan(2)),
                };
                Libc.Ioctl(_h.PtyMaster, Consts.TIOCSWINSZ, &size);
                break;
        }

        c.HeaderRead = 0;
        c.ControlRead = 0;
    }

    private int StdinTarget => _o.Tty ? _h.PtyMaster : _h.StdinWrite;

    private void WriteStdin(byte* data, int length)
    {
        var target = StdinTarget;
        if (target < 0)
        {
            return;
        }

        var done = 0;
        while (done < length)
        {
            var n = Libc.Write(target, data + done, length - done);
            if (n < 0)
            {
                if (Libc.LastErrno == Errno.EINTR)
                {
                    continue;
                }

                if (Libc.LastErrno == Errno.EAGAIN)
                {
                    // The rest waits for room; no client is read until then.
                    var stash = _scratch + StdinOffset;
                    var left = length - done;
                    Buffer.MemoryCopy(data + done, stash, StdinChunk, left);
                    _stdinPendingStart = 0;
                    _stdinPendingEnd = left;
                }

                // EPIPE or EIO: the container closed its stdin; the bytes have nowhere to go.
                return;
            }

            done += (int)n;
        }
    }

    private void FlushStdin()
    {
        var target = StdinTarget;
        var stash = _scratch + StdinOffset;
        while (_stdinPendingEnd > _stdinPendingStart)
        {
            var n = target < 0 ? -1 : Libc.Write(target, stash + _stdinPendingStart, _stdinPendingEnd - _stdinPendingStart);
            if (n < 0)
            {
                if (target >= 0 && Libc.LastErrno is Errno.EAGAIN or Errno.EINTR)
                {
                    return;
                }

                break;
            }

            _stdinPendingStart += (int)n;
        }

        _stdinPendingStart = _stdinPendingEnd = 0;
    }

    private void CloseStdin()
    {
        if (!_o.Tty && _h.StdinWrite >= 0)
        {
            Libc.Close(_h.StdinWrite);
            _h.StdinWrite = -1;
            _stdinPendingStart = _stdinPendingEnd = 0;
        }

        _h.StdinClosed = true;
    }

    private void Drop(AttachConnection c)
    {
        if (c.Fd >= 0 && c.Fd == _h.StdinOwner)
        {
            // As docker run -i: the stdin of the client that started the container ends with it.
            _h.StdinOwner = -1;
            CloseStdin();
        }

        c.Dispose();
    }

    private void RecordExit()
    {
        // The init is gone and, with its pid namespace, every process of the container: what is left in the
        // pipes (or the pty) is the last output of this run.
        while (_h.OutRead >= 0 && ReadOutput(0, AttachProtocol.Stdout))
        {
        }

        while (_h.ErrRead >= 0 && ReadOutput(1, AttachProtocol.Stderr))
        {
        }

        while (_h.PtyMaster >= 0 && ReadOutput(2, AttachProtocol.Stdout))
        {
        }

        _sink.FlushPartial(0);
        _sink.FlushPartial(1);
        if (_h.PtyMaster >= 0)
        {
            Libc.Close(_h.PtyMaster);
            _h.PtyMaster = -1;
        }

        try
        {
            _status.OomKilled = _runtime.Value.OomKilled(_o.Id);
        }
        catch (Exception e)
        {
            _log.Value.LogWarning("reading the OOM count of {Id}: {Error}", _o.Id, e.Message);
        }

        if (_o.EventsPath is { } journal)
        {
            if (_status.OomKilled)
            {
                Events.ContainerActor.Emit(journal, _o.Bundle, _o.Id, "oom");
            }

            var c = System.Globalization.CultureInfo.InvariantCulture;
            var ran = _h.RunStartedTicks > 0 ? (DateTime.UtcNow.Ticks - _h.RunStartedTicks) / TimeSpan.TicksPerSecond : 0;
            Events.ContainerActor.Emit(journal, _o.Bundle, _o.Id, "die", new Dictionary<string, string>
            {
                ["exitCode"] = _exitCode.ToString(c), ["execDuration"] = ran.ToString(c),
            });
        }

        if (_h.ContainerExists)
        {
            ContainerMonitor.DeleteQuietly(_runtime.Value, _o.Id, _log.Value);
            _h.ContainerExists = false;
        }

        _status.Status = MonitorStatus.Exited;
        _status.Pid = 0;
        _status.ExitCode = _exitCode;
        _status.FinishedAt = MonitorStatus.FormatTime(DateTime.UtcNow);
        _h.LastExitCode = _exitCode;
        _h.LastOomKilled = _status.OomKilled;
        _h.FinishedAt = _status.FinishedAt;
    }

    private bool StopRequested() => _h.StopSignal != 0 || File.Exists(_o.StopRequestedPath);

    /// <summary>Sleeps the restart delay while serving clients; false when the user stopped the container meanwhile.</summary>
    private bool WaitToRestart()
    {
        // A container that ran for a while starts over with a short delay, as docker does.
        if (DateTime.UtcNow.Ticks - _h.RunStartedTicks >= MaxBackoff.Ticks)
        {
            _h.BackoffMs = 100;
        }

        _status.Restarting = true;
        ContainerMonitor.WriteStatus(_o, _status);
        SendExit(restarting: true);
        var deadline = DateTime.UtcNow.AddMilliseconds(_h.BackoffMs);
        while (true)
        {
            if (StopRequested())
            {
                return false;
            }

            var left = (int)Math.Ceiling((deadline - DateTime.UtcNow).TotalMilliseconds);
            if (left <= 0)
            {
                return true;
            }

            // The engine's stop marker is a file, so look again at least every 100 ms.
            Pump(Math.Min(left, RestartCheckMs), acceptClients: true);
        }
    }

    private int Restart()
    {
        _h.BackoffMs = (int)Math.Min(_h.BackoffMs * 2L, (long)MaxBackoff.TotalMilliseconds);
        _h.RestartCount++;
        _h.Phase = "restart";
        _h.InitPid = 0;
        _h.Clients = _clients.Where(c => !c.Closed).Select(c => c.Fd).ToList();
        Libc.Close(_logFd);
        Libc.Close(_signalFd);
        Libc.Munmap(_scratch, ScratchSize);
        MonitorImage.Replace(_o, _h);

        // execve failed: the set-up runs in this image instead.
        return new ContainerMonitor(_o with { Handoff = _h }, _runtime, _log).Run();
    }

    private int Finish()
    {
        _status.Restarting = false;

        // The monitor's write ends go: the pipes end once no process of the container holds them any more.
        foreach (var fd in new[] { _h.OutWrite, _h.ErrWrite })
        {
            if (fd >= 0)
            {
                Libc.Close(fd);
            }
        }

        _h.OutWrite = _h.ErrWrite = -1;
        CloseStdin();
        var deadline = DateTime.UtcNow + DrainTimeout;
        while ((_h.OutRead >= 0 || _h.ErrRead >= 0) && DateTime.UtcNow < deadline)
        {
            Pump(100, acceptClients: false);
        }

        if (_h.OutRead >= 0 || _h.ErrRead >= 0)
        {
            _log.Value.LogWarning("the output pipes of {Id} are still open; the log may miss its last lines", _o.Id);
        }

        _sink.FlushPartial(0);
        _sink.FlushPartial(1);
        if (_h.OverlayMounted && _o.Overlay is { } overlay)
        {
            try
            {
                overlay.Unmount();
                _h.OverlayMounted = false;
            }
            catch (Exception e)
            {
                _log.Value.LogWarning("unmounting {Merged}: {Error}", overlay.Merged, e.Message);
            }
        }

        ContainerMonitor.WriteStatus(_o, _status);
        ContainerMonitor.MarkRemoved(_o);
        SendExit(restarting: false);
        deadline = DateTime.UtcNow + DrainTimeout;
        while (_clients.Any(c => c.HasPending) && DateTime.UtcNow < deadline)
        {
            Pump(100, acceptClients: false, readOutput: false);
        }

        foreach (var c in _clients)
        {
            c.Dispose();
        }

        if (_h.Listen >= 0)
        {
            Libc.Close(_h.Listen);
            File.Delete(_o.AttachPath);
        }

        return 0;
    }

    private void SendExit(bool restarting)
    {
        var frame = stackalloc byte[AttachProtocol.HeaderSize + AttachProtocol.ExitPayloadSize];
        var span = new Span<byte>(frame, AttachProtocol.HeaderSize + AttachProtocol.ExitPayloadSize);
        AttachProtocol.WriteHeader(span, AttachProtocol.Exit, AttachProtocol.ExitPayloadSize);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(span[AttachProtocol.HeaderSize..], _exitCode);
        span[AttachProtocol.HeaderSize + 4] = (byte)((_status.OomKilled ? AttachProtocol.ExitOomKilled : 0) | (restarting ? AttachProtocol.ExitRestarting : 0));
        Broadcast(frame, span.Length);
        _clients.RemoveAll(c => c.Closed);
    }

    /// <summary>Hands the scratch pages back after a quiet second; partial lines keep the pages they use.</summary>
    private void ReleaseScratch()
    {
        if (!_dirty)
        {
            return;
        }

        _dirty = false;
        for (var stream = 0; stream < 2; stream++)
        {
            var start = ((stream == 0 ? PendingOutOffset : PendingErrOffset) + _sink.PendingLength(stream) + 4095) & ~4095;
            var end = stream == 0 ? PendingErrOffset : LogOutputOffset;
            if (end > start)
            {
                Libc.Madvise(_scratch + start, (nuint)(end - start), Libc.MADV_DONTNEED);
            }
        }

        if (_stdinPendingEnd == _stdinPendingStart)
        {
            Libc.Madvise(_scratch + LogOutputOffset, (nuint)(ScratchSize - LogOutputOffset), Libc.MADV_DONTNEED);
        }
        else
        {
            Libc.Madvise(_scratch + LogOutputOffset, (nuint)((StdinOffset & ~4095) - LogOutputOffset), Libc.MADV_DONTNEED);
        }
    }

    private static void SetNonBlocking(int fd)
    {
        if (fd >= 0)
        {
            var flags = Libc.Fcntl(fd, Consts.F_GETFL, 0);
            if (flags >= 0)
            {
                Libc.Fcntl(fd, Consts.F_SETFL, flags | Consts.O_NONBLOCK);
            }
        }
    }
}
