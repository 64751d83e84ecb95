using PSContainers.Runtime.Monitor;

namespace Pscmon;

/// <summary>A container's monitor while the container runs: output to the log and the attach clients, their input, signals, the init's exit.</summary>
/// <remarks>
/// The same work as pscrun's MonitorLoop while it waits, on bare libc: one poll loop over a signalfd, the output
/// pipes (or the pty), the attach socket and its clients. When the init has exited and its last output is
/// written, pscmon replaces itself with pscrun again (execveat of the descriptor pscrun left it), which records
/// the exit, restarts or cleans up. The frame format is AttachProtocol's (docs/pscrun.md).
/// </remarks>
internal sealed unsafe class WaitLoop
{
    private const int MaxClients = 64;
    private const int HeaderSize = 5, MaxPayload = 64 * 1024, StdinChunk = 4096;
    private const byte Stdout = 1, Stderr = 2, Stdin = 16, CloseStdinFrame = 17, Resize = 18;
    private const int MaxBacklog = 4 * 1024 * 1024;
    private const int ReadSize = 16 * 1024;
    private const int PendingOutOffset = 0;
    private const int PendingErrOffset = LogSink.MaxLine;
    private const int LogOutputOffset = 2 * LogSink.MaxLine;
    private const int ReadOffset = LogOutputOffset + LogSink.OutputSize;
    private const int StdinOffset = ReadOffset + HeaderSize + ReadSize + 3;
    private const int ClientBytesOffset = StdinOffset + StdinChunk;
    private const int ScratchSize = (ClientBytesOffset + (MaxClients * 16) + 4095) & ~4095;
    private const int IdleReleaseMs = 1000, DrainMs = 5000;

    // Kinds of poll entries.
    private const int KSignal = 0, KOut = 1, KErr = 2, KPty = 3, KListen = 4, KClient = 5, KStdin = 6;

    private readonly State _s;
    private readonly Client* _clients;
    private readonly byte* _scratch;
    private readonly LogSink _sink;
    private readonly int _signalFd;
    private readonly byte* _empty = (byte*)Sys.calloc(1, 1);
    private int _clientCount;
    private int _exitCode = -1;
    private bool _dirty;
    private int _stdinStart;
    private int _stdinEnd;
    private int _healthPid;
    private long _healthStartMs;
    private long _nextCheckMs = -1;

    public WaitLoop(State state)
    {
        _s = state;
        var mask = stackalloc ulong[16];
        mask[0] = Bit(Sys.SIGCHLD) | Bit(Sys.SIGTERM) | Bit(Sys.SIGINT) | Bit(Sys.SIGHUP) | Bit(Sys.SIGPIPE);
        Sys.pthread_sigmask(Sys.SIG_BLOCK, mask, null);
        mask[0] &= ~Bit(Sys.SIGPIPE);
        _signalFd = Sys.signalfd(-1, mask, Sys.SFD_NONBLOCK | Sys.SFD_CLOEXEC);
        _scratch = (byte*)Sys.mmap(null, ScratchSize, Sys.PROT_READ | Sys.PROT_WRITE, Sys.MAP_PRIVATE | Sys.MAP_ANONYMOUS, -1, 0);
        _clients = (Client*)Sys.calloc(MaxClients, (nuint)sizeof(Client));
        if (_signalFd < 0 || _scratch == (byte*)-1 || _clients == null)
        {
            Sys.abort();
        }

        _sink = new LogSink(_s.LogFd, _scratch + PendingOutOffset, _scratch + PendingErrOffset, _scratch + LogOutputOffset, _s.Tty);
        SetNonBlocking(_s.OutRead);
        SetNonBlocking(_s.ErrRead);
        SetNonBlocking(_s.Pty);
        SetNonBlocking(_s.StdinWrite);
        for (var i = 0; i < _s.ClientCount && _clientCount < MaxClients; i++)
        {
            SetNonBlocking(_s.Clients[i]);
            _clients[_clientCount++].Fd = _s.Clients[i];
        }

        if (_s.HealthArgv != null)
        {
            // A health check must not hold the container's pipes or the clients' sockets open: pscrun inherited
            // them without close-on-exec, and Program.KeepOpen clears it again before the last execveat.
            CloseOnExec(_s.OutRead);
            CloseOnExec(_s.OutWrite);
            CloseOnExec(_s.ErrRead);
            CloseOnExec(_s.ErrWrite);
            CloseOnExec(_s.StdinWrite);
            CloseOnExec(_s.Pty);
            CloseOnExec(_s.Listen);
            CloseOnExec(_s.LogFd);
            CloseOnExec(_s.ExeFd);
            for (var i = 0; i < _clientCount; i++)
            {
                CloseOnExec(_clients[i].Fd);
            }

            _healthStartMs = NowMs();
            _nextCheckMs = _healthStartMs + HealthDelayMs();
        }
    }

    /// <summary>Runs until the init has exited and its output is out; the exit code is in the state then.</summary>
    public void Run()
    {
        if (_s.StopSignal != 0)
        {
            Sys.kill(_s.InitPid, _s.StopSignal);
        }

        Reap();
        while (_exitCode < 0)
        {
            Pump(WaitMs(), true, true);
            StartDueCheck();
        }

        if (_healthPid > 0)
        {
            // The container is gone: so is what the check was checking. Its process group goes with it; pscrun
            // reaps it after the handoff as it reaps every orphan.
            Sys.kill(-_healthPid, Sys.SIGKILL);
            _healthPid = 0;
        }

        // With its pid namespace, every process of the container is gone with the init: what is in the
        // pipes (or the pty) is the last output of this run.
        while (_s.OutRead >= 0 && ReadOutput(0, Stdout))
        {
        }

        while (_s.ErrRead >= 0 && ReadOutput(1, Stderr))
        {
        }

        while (_s.Pty >= 0 && ReadOutput(2, Stdout))
        {
        }

        _sink.FlushPartial(0);
        _sink.FlushPartial(1);
        if (_s.Pty >= 0)
        {
            Sys.close(_s.Pty);
            _s.Pty = -1;
        }

        // A client that is slow to take the last output gets it before the monitor's next image takes over.
        var waited = 0;
        while (AnyBacklog() && waited < DrainMs)
        {
            Pump(100, false, false);
            waited += 100;
        }

        _s.ExitCode = _exitCode;
        _s.ClientCount = 0;
        for (var i = 0; i < _clientCount; i++)
        {
            if (_clients[i].Fd >= 0)
            {
                _s.Clients[_s.ClientCount++] = _clients[i].Fd;
            }
        }

        Sys.close(_signalFd);
    }

    private static ulong Bit(int signal) => 1UL << (signal - 1);

    private static long NowMs()
    {
        var ts = stackalloc long[2];
        Sys.clock_gettime(Sys.CLOCK_MONOTONIC, ts);
        return (ts[0] * 1000) + (ts[1] / 1_000_000);
    }

    /// <summary>The start interval while the start period lasts, the interval after it.</summary>
    private long HealthDelayMs() =>
        NowMs() - _healthStartMs < _s.HealthStartPeriodMs ? _s.HealthStartIntervalMs : _s.HealthIntervalMs;

    /// <summary>The poll timeout: the idle release, or the next health check if that comes first; -1 for none.</summary>
    private int WaitMs()
    {
        long wait = _dirty ? IdleReleaseMs : -1;
        if (_nextCheckMs >= 0 && _healthPid == 0)
        {
            var left = _nextCheckMs - NowMs();
            if (left < 0)
            {
                left = 0;
            }

            if (wait < 0 || left < wait)
            {
                wait = left;
            }
        }

        return (int)wait;
    }

    /// <summary>Runs pscrun's health-check verb when it is due: fork, then execveat of pscrun's descriptor in the child.</summary>
    /// <remarks>
    /// The child makes only libc calls on memory prepared before the fork. It leads its own process group, so a
    /// check that outlives the container can be killed with everything it started; its signals are unblocked,
    /// since pscrun's runtime needs SIGCHLD. One check runs at a time: the next is scheduled when it is reaped.
    /// </remarks>
    private void StartDueCheck()
    {
        if (_nextCheckMs < 0 || _healthPid != 0 || NowMs() < _nextCheckMs)
        {
            return;
        }

        var empty = stackalloc ulong[16];
        var pid = Sys.fork();
        if (pid == 0)
        {
            Sys.pthread_sigmask(Sys.SIG_SETMASK, empty, null);
            Sys.setsid();
            Sys.syscall(Sys.SYS_execveat, _s.ExeFd, (long)_empty, (long)_s.HealthArgv, (long)_s.Envp, Sys.AT_EMPTY_PATH);
            Sys._exit(127);
        }

        if (pid < 0)
        {
            _nextCheckMs = NowMs() + HealthDelayMs();
            return;
        }

        _healthPid = pid;
        _nextCheckMs = -1;
    }

    private static void CloseOnExec(int fd)
    {
        if (fd >= 0)
        {
            Sys.fcntl(fd, Sys.F_SETFD, Sys.FD_CLOEXEC);
        }
    }

    private void Pump(int timeoutMs, bool acceptClients, bool readOutput)
    {
        var capacity = 8 + _clientCount;
        var pfds = stackalloc PollFd[capacity];
        var kinds = stackalloc int[capacity];
        var refs = stackalloc int[capacity];
        var n = 0;
        n = Add(pfds, kinds, refs, n, _signalFd, Sys.POLLIN, KSignal, 0);
        if (readOutput && !AnyBacklog())
        {
            if (_s.OutRead >= 0)
            {
                n = Add(pfds, kinds, refs, n, _s.OutRead, Sys.POLLIN, KOut, 0);
            }

            if (_s.ErrRead >= 0)
            {
                n = Add(pfds, kinds, refs, n, _s.ErrRead, Sys.POLLIN, KErr, 0);
            }

            if (_s.Pty >= 0)
            {
                n = Add(pfds, kinds, refs, n, _s.Pty, Sys.POLLIN, KPty, 0);
            }
        }

        if (acceptClients && _s.Listen >= 0)
        {
            n = Add(pfds, kinds, refs, n, _s.Listen, Sys.POLLIN, KListen, 0);
        }

        if (StdinTarget < 0)
        {
            _stdinStart = _stdinEnd = 0;
        }

        var stdinBlocked = _stdinEnd > _stdinStart;
        if (stdinBlocked)
        {
            n = Add(pfds, kinds, refs, n, StdinTarget, Sys.POLLOUT, KStdin, 0);
        }

        for (var i = 0; i < _clientCount; i++)
        {
            short events = 0;
            if (!stdinBlocked)
            {
                events |= Sys.POLLIN;
            }

            if (_clients[i].PendingEnd > _clients[i].PendingStart)
            {
                events |= Sys.POLLOUT;
            }

            n = Add(pfds, kinds, refs, n, _clients[i].Fd, events, KClient, i);
        }

        var ready = Sys.poll(pfds, (ulong)n, timeoutMs);
        if (ready == 0)
        {
            ReleaseScratch();
            return;
        }

        for (var i = 0; ready > 0 && i < n; i++)
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
                    ReadOutput(0, Stdout);
                    break;
                case KErr:
                    ReadOutput(1, Stderr);
                    break;
                case KPty:
                    ReadOutput(2, Stdout);
                    break;
                case KListen:
                    Accept();
                    break;
                case KStdin:
                    FlushStdin();
                    break;
                case KClient:
                    var c = _clients + refs[i];
                    if (c->Fd < 0)
                    {
                        break;
                    }

                    if ((revents & Sys.POLLOUT) != 0 && !Flush(c))
                    {
                        Drop(c);
                    }
                    else if ((revents & (Sys.POLLIN | Sys.POLLHUP | Sys.POLLERR)) != 0)
                    {
                        ReadClient(c, refs[i]);
                    }

                    break;
            }
        }

        Compact();
    }

    private static int Add(PollFd* pfds, int* kinds, int* refs, int n, int fd, short events, int kind, int index)
    {
        pfds[n].Fd = fd;
        pfds[n].Events = events;
        pfds[n].REvents = 0;
        kinds[n] = kind;
        refs[n] = index;
        return n + 1;
    }

    private void ReadSignals()
    {
        var info = stackalloc byte[128];
        while (Sys.read(_signalFd, info, 128) == 128)
        {
            var signal = *(int*)info;
            if (signal == Sys.SIGCHLD)
            {
                Reap();
            }
            else if (signal == Sys.SIGTERM || signal == Sys.SIGINT)
            {
                // Stop signals go to the container; the monitor stays until it is gone and cleaned up.
                _s.StopSignal = signal;
                if (_exitCode < 0)
                {
                    Sys.kill(_s.InitPid, signal);
                }
            }
        }
    }

    /// <summary>Reaps every exited child: the init (its status is the container's exit code) and the orphans a subreaper inherits.</summary>
    private void Reap()
    {
        int status;
        int pid;
        while ((pid = Sys.waitpid(-1, &status, Sys.WNOHANG)) > 0)
        {
            if (pid == _s.InitPid)
            {
                var signal = status & 0x7f;
                _exitCode = signal == 0 ? (status >> 8) & 0xff : 128 + signal;
            }
            else if (pid == _healthPid)
            {
                // As docker's, the next check comes an interval after this one ended, however long it took.
                _healthPid = 0;
                _nextCheckMs = NowMs() + HealthDelayMs();
            }
        }
    }

    /// <summary>Reads one chunk of output (stream 0, 1, or 2 for the pty) into the log and to every client; false when there was none.</summary>
    private bool ReadOutput(int stream, byte type)
    {
        var fd = stream == 0 ? _s.OutRead : stream == 1 ? _s.ErrRead : _s.Pty;
        var frame = _scratch + ReadOffset;
        var data = frame + HeaderSize;
        nint got;
        do
        {
            got = Sys.read(fd, data, ReadSize);
        }
        while (got < 0 && Sys.Errno == Sys.EINTR);

        if (got < 0 && Sys.Errno == Sys.EAGAIN)
        {
            return false;
        }

        _dirty = true;
        var logStream = stream == 2 ? 0 : stream;
        if (got <= 0)
        {
            // End of file, or EIO from a pty whose last slave closed: that output is over.
            _sink.FlushPartial(logStream);
            Sys.close(fd);
            if (stream == 0)
            {
                _s.OutRead = -1;
            }
            else if (stream == 1)
            {
                _s.ErrRead = -1;
            }
            else
            {
                _s.Pty = -1;
            }

            return false;
        }

        _sink.Append(logStream, data, (int)got);
        Header(frame, type, (int)got);
        for (var i = 0; i < _clientCount; i++)
        {
            if (_clients[i].Fd >= 0 && !Send(_clients + i, frame, HeaderSize + (int)got))
            {
                Drop(_clients + i);
            }
        }

        return true;
    }

    private static void Header(byte* frame, byte type, int length)
    {
        frame[0] = type;
        frame[1] = (byte)length;
        frame[2] = (byte)(length >> 8);
        frame[3] = (byte)(length >> 16);
        frame[4] = (byte)(length >> 24);
    }

    private bool AnyBacklog()
    {
        for (var i = 0; i < _clientCount; i++)
        {
            if (_clients[i].PendingEnd > _clients[i].PendingStart)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Sends a frame at once if the socket takes it; the rest waits for POLLOUT. False when the client is gone.</summary>
    private static bool Send(Client* c, byte* frame, int length)
    {
        if (c->PendingEnd > c->PendingStart)
        {
            return Queue(c, frame, length);
        }

        var sent = 0;
        while (sent < length)
        {
            var n = Sys.send(c->Fd, frame + sent, length - sent, Sys.MSG_NOSIGNAL | Sys.MSG_DONTWAIT);
            if (n < 0)
            {
                var errno = Sys.Errno;
                if (errno == Sys.EINTR)
                {
                    continue;
                }

                return errno == Sys.EAGAIN && Queue(c, frame + sent, length - sent);
            }

            sent += (int)n;
        }

        return true;
    }

    private static bool Queue(Client* c, byte* data, int length)
    {
        var used = c->PendingEnd - c->PendingStart;
        if (used + length > MaxBacklog)
        {
            return false;
        }

        if (c->PendingEnd + length > c->PendingCapacity)
        {
            if (c->PendingStart > 0)
            {
                Sys.memmove(c->Pending, c->Pending + c->PendingStart, (nuint)used);
                c->PendingStart = 0;
                c->PendingEnd = used;
            }

            if (c->PendingEnd + length > c->PendingCapacity)
            {
                var capacity = c->PendingCapacity * 2;
                if (capacity < 32 * 1024)
                {
                    capacity = 32 * 1024;
                }

                if (capacity < c->PendingEnd + length)
                {
                    capacity = c->PendingEnd + length;
                }

                c->Pending = (byte*)Sys.realloc(c->Pending, (nuint)capacity);
                if (c->Pending == null)
                {
                    Sys.abort();
                }

                c->PendingCapacity = capacity;
            }
        }

        Sys.memmove(c->Pending + c->PendingEnd, data, (nuint)length);
        c->PendingEnd += length;
        return true;
    }

    /// <summary>Writes queued output; false when the client is gone.</summary>
    private static bool Flush(Client* c)
    {
        while (c->PendingEnd > c->PendingStart)
        {
            var n = Sys.send(c->Fd, c->Pending + c->PendingStart, c->PendingEnd - c->PendingStart, Sys.MSG_NOSIGNAL | Sys.MSG_DONTWAIT);
            if (n < 0)
            {
                var errno = Sys.Errno;
                if (errno == Sys.EINTR)
                {
                    continue;
                }

                return errno == Sys.EAGAIN;
            }

            c->PendingStart += (int)n;
        }

        // The backlog is gone: its memory goes back too, the client may be idle for days.
        Sys.free(c->Pending);
        c->Pending = null;
        c->PendingCapacity = c->PendingStart = c->PendingEnd = 0;
        return true;
    }

    private void Accept()
    {
        while (true)
        {
            var fd = Sys.accept4(_s.Listen, null, null, Sys.SOCK_CLOEXEC | Sys.SOCK_NONBLOCK);
            if (fd < 0)
            {
                return;
            }

            if (_clientCount == MaxClients)
            {
                Sys.close(fd);
                continue;
            }

            var c = _clients + _clientCount++;
            *c = default;
            c->Fd = fd;
        }
    }

    private void ReadClient(Client* c, int index)
    {
        var bytes = _scratch + ClientBytesOffset + (index * 16);
        var buffer = _scratch + StdinOffset;
        while (c->Fd >= 0 && _stdinEnd == _stdinStart)
        {
            if (c->HeaderRead < HeaderSize)
            {
                var n = Sys.read(c->Fd, bytes + c->HeaderRead, HeaderSize - c->HeaderRead);
                if (!Received(c, n))
                {
                    return;
                }

                c->HeaderRead += (int)n;
                if (c->HeaderRead < HeaderSize)
                {
                    continue;
                }

                var length = bytes[1] | (bytes[2] << 8) | (bytes[3] << 16) | (bytes[4] << 24);
                if (length < 0 || length > MaxPayload)
                {
                    Drop(c);
                    return;
                }

                c->PayloadLeft = length;
                c->ControlRead = 0;
                if (length == 0)
                {
                    EndFrame(c, bytes);
                }

                continue;
            }

            var type = bytes[0];
            var want = type == Stdin ? StdinChunk : 8 - c->ControlRead;
            if (want <= 0)
            {
                // A control payload longer than any we know: read it into the void.
                want = StdinChunk;
            }

            if (want > c->PayloadLeft)
            {
                want = c->PayloadLeft;
            }

            var got = Sys.read(c->Fd, buffer, want);
            if (!Received(c, got))
            {
                return;
            }

            c->PayloadLeft -= (int)got;
            if (type == Stdin)
            {
                WriteStdin(buffer, (int)got);
            }
            else
            {
                for (var k = 0; k < got && c->ControlRead < 8; k++)
                {
                    bytes[8 + c->ControlRead++] = buffer[k];
                }
            }

            if (c->PayloadLeft == 0)
            {
                EndFrame(c, bytes);
            }
        }
    }

    /// <summary>False when nothing more can be read now; a closed or failed client is dropped.</summary>
    private bool Received(Client* c, nint n)
    {
        if (n > 0)
        {
            return true;
        }

        if (n < 0 && (Sys.Errno == Sys.EAGAIN || Sys.Errno == Sys.EINTR))
        {
            return false;
        }

        Drop(c);
        return false;
    }

    private void EndFrame(Client* c, byte* bytes)
    {
        if (bytes[0] == CloseStdinFrame)
        {
            CloseStdin();
        }
        else if (bytes[0] == Resize && c->ControlRead >= 4 && _s.Pty >= 0)
        {
            // struct winsize: rows, columns, then two unused pixel sizes.
            var size = stackalloc ushort[4];
            size[0] = (ushort)(bytes[8] | (bytes[9] << 8));
            size[1] = (ushort)(bytes[10] | (bytes[11] << 8));
            size[2] = size[3] = 0;
            Sys.ioctl(_s.Pty, Sys.TIOCSWINSZ, size);
        }

        c->HeaderRead = 0;
        c->ControlRead = 0;
    }

    private int StdinTarget => _s.Tty ? _s.Pty : _s.StdinWrite;

    private void WriteStdin(byte* data, int length)
    {
        var target = StdinTarget;
        var done = 0;
        while (target >= 0 && done < length)
        {
            var n = Sys.write(target, data + done, length - done);
            if (n < 0)
            {
                var errno = Sys.Errno;
                if (errno == Sys.EINTR)
                {
                    continue;
                }

                if (errno == Sys.EAGAIN)
                {
                    // The rest waits for room; no client is read until then.
                    var left = length - done;
                    Sys.memmove(_scratch + StdinOffset, data + done, (nuint)left);
                    _stdinStart = 0;
                    _stdinEnd = left;
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
        while (target >= 0 && _stdinEnd > _stdinStart)
        {
            var n = Sys.write(target, _scratch + StdinOffset + _stdinStart, _stdinEnd - _stdinStart);
            if (n < 0)
            {
                if (Sys.Errno == Sys.EAGAIN || Sys.Errno == Sys.EINTR)
                {
                    return;
                }

                break;
            }

            _stdinStart += (int)n;
        }

        _stdinStart = _stdinEnd = 0;
    }

    private void CloseStdin()
    {
        if (!_s.Tty && _s.StdinWrite >= 0)
        {
            Sys.close(_s.StdinWrite);
            _s.StdinWrite = -1;
            _stdinStart = _stdinEnd = 0;
        }

        _s.StdinClosed = true;
    }

    private void Drop(Client* c)
    {
        if (c->Fd < 0)
        {
            return;
        }

        if (c->Fd == _s.StdinOwner)
        {
            // As docker run -i: the stdin of the client that started the container ends with it.
            _s.StdinOwner = -1;
            CloseStdin();
        }

        Sys.close(c->Fd);
        c->Fd = -1;
        Sys.free(c->Pending);
        c->Pending = null;
        c->PendingCapacity = c->PendingStart = c->PendingEnd = 0;
    }

    /// <summary>Closes the gaps dropped clients left (their header bytes move with them).</summary>
    private void Compact()
    {
        var kept = 0;
        for (var i = 0; i < _clientCount; i++)
        {
            if (_clients[i].Fd < 0)
            {
                continue;
            }

            if (kept != i)
            {
                _clients[kept] = _clients[i];
                Sys.memmove(_scratch + ClientBytesOffset + (kept * 16), _scratch + ClientBytesOffset + (i * 16), 16);
            }

            kept++;
        }

        _clientCount = kept;
    }

    /// <summary>Hands the scratch pages back after a quiet second; partial lines keep the pages they use.</summary>
    private void ReleaseScratch()
    {
        if (!_dirty)
        {
            return;
        }

        _dirty = false;
        var outStart = (PendingOutOffset + _sink.PendingLength(0) + 4095) & ~4095;
        if (PendingErrOffset > outStart)
        {
            Sys.madvise(_scratch + outStart, (nuint)(PendingErrOffset - outStart), Sys.MADV_DONTNEED);
        }

        var errStart = (PendingErrOffset + _sink.PendingLength(1) + 4095) & ~4095;
        if (LogOutputOffset > errStart)
        {
            Sys.madvise(_scratch + errStart, (nuint)(LogOutputOffset - errStart), Sys.MADV_DONTNEED);
        }

        // The stdin stash and the clients' header bytes may hold data; everything between goes.
        Sys.madvise(_scratch + LogOutputOffset, (nuint)((StdinOffset & ~4095) - LogOutputOffset), Sys.MADV_DONTNEED);
    }

    private static void SetNonBlocking(int fd)
    {
        if (fd >= 0)
        {
            var flags = Sys.fcntl(fd, Sys.F_GETFL, 0);
            if (flags >= 0)
            {
                Sys.fcntl(fd, Sys.F_SETFL, flags | Sys.O_NONBLOCK);
            }
        }
    }

    /// <summary>struct pollfd.</summary>
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }

    /// <summary>One attach client: its frame parser state and the output it has not taken yet.</summary>
    private struct Client
    {
        public int Fd;
        public int HeaderRead;
        public int PayloadLeft;
        public int ControlRead;
        public byte* Pending;
        public int PendingCapacity;
        public int PendingStart;
        public int PendingEnd;
    }
}
