namespace PSContainers.Runtime.Monitor;

/// <summary>The container's stdio: pipes (or a pty) for its output, /dev/null or a pipe for its stdin, swapped onto fds 0-2 around create.</summary>
/// <remarks>
/// LinuxContainerRuntime.Create clones the init from this process, so the init inherits whatever fds 0, 1 and 2
/// are at that moment. The output pipes' write ends stay open in the monitor across restarts, so their readers see
/// end of file only once the monitor closes them after the final exit. A pty container instead gets its terminal
/// from the runtime's console socket (a socket pair here): the master arrives after create, one per run.
/// </remarks>
internal sealed unsafe class MonitorStdio : IDisposable
{
    private readonly int[] _saved = { -1, -1, -1 };
    private int _devNull = -1;
    private int _stdinRead = -1;
    private int _consoleMine = -1;
    private int _consoleTheirs = -1;

    public int OutRead { get; private set; } = -1;

    public int OutWrite { get; private set; } = -1;

    public int ErrRead { get; private set; } = -1;

    public int ErrWrite { get; private set; } = -1;

    /// <summary>The monitor's end of this run's stdin pipe, or -1.</summary>
    public int StdinWrite { get; private set; } = -1;

    /// <summary>The pty master of this run, once create handed it over, or -1.</summary>
    public int PtyMaster { get; private set; } = -1;

    /// <summary>The runtime's end of the console socket pair for the next create, or -1 without a pty.</summary>
    public int ConsoleSocket => _consoleTheirs;

    /// <summary>Output pipes for a first run; a pty container needs none.</summary>
    public static MonitorStdio Open(bool tty)
    {
        var s = new MonitorStdio();
        try
        {
            if (!tty)
            {
                (s.OutRead, s.OutWrite) = Pipe("stdout");
                (s.ErrRead, s.ErrWrite) = Pipe("stderr");
            }

            s.SaveStdio();
            return s;
        }
        catch
        {
            s.CloseAll();
            throw;
        }
    }

    /// <summary>The output pipes a previous image of the monitor kept.</summary>
    public static MonitorStdio FromHandoff(MonitorHandoff h)
    {
        var s = new MonitorStdio { OutRead = h.OutRead, OutWrite = h.OutWrite, ErrRead = h.ErrRead, ErrWrite = h.ErrWrite };
        s.SaveStdio();
        return s;
    }

    /// <summary>Makes this run's stdin pipe or console socket pair.</summary>
    public void PrepareRun(bool tty, bool stdinPipe)
    {
        if (tty)
        {
            var fds = stackalloc int[2];
            Libc.Check(Libc.SocketPair(Consts.AF_UNIX, Consts.SOCK_STREAM | Consts.SOCK_CLOEXEC, 0, fds), "socketpair", "console");
            (_consoleMine, _consoleTheirs) = (fds[0], fds[1]);
        }
        else if (stdinPipe)
        {
            (_stdinRead, StdinWrite) = Pipe("stdin");
        }
    }

    /// <summary>Puts the container's stdin and the pipes' write ends on fds 0, 1 and 2 for the next clone.</summary>
    public void Redirect()
    {
        Libc.Check(Libc.Dup2(_stdinRead >= 0 ? _stdinRead : _devNull, 0), "dup2", "stdin");
        Libc.Check(Libc.Dup2(OutWrite >= 0 ? OutWrite : _devNull, 1), "dup2", "stdout");
        Libc.Check(Libc.Dup2(ErrWrite >= 0 ? ErrWrite : _devNull, 2), "dup2", "stderr");
    }

    /// <summary>Gives the monitor back the fds 0-2 it was started with.</summary>
    public void Restore()
    {
        for (var i = 0; i < 3; i++)
        {
            Libc.Dup2(_saved[i] >= 0 ? _saved[i] : _devNull, i);
        }
    }

    /// <summary>After create: drops the container's ends and takes the pty master the runtime sent.</summary>
    public void AfterCreate()
    {
        CloseFd(ref _stdinRead);
        if (_consoleMine >= 0)
        {
            CloseFd(ref _consoleTheirs);

            // Create has returned, so a pty master the runtime made is already waiting on the socket.
            var pfd = new PollFd { Fd = _consoleMine, Events = Consts.POLLIN };
            if (Libc.Poll(&pfd, 1, 0) <= 0)
            {
                throw new InvalidOperationException("the container has no terminal: its config.json must set process.terminal for --tty");
            }

            PtyMaster = FdPassing.Receive(_consoleMine);
            CloseFd(ref _consoleMine);
        }
    }

    /// <summary>The descriptors a next image of the monitor takes over; this object forgets them.</summary>
    public void HandOver(MonitorHandoff h)
    {
        (h.OutRead, h.OutWrite, h.ErrRead, h.ErrWrite, h.StdinWrite, h.PtyMaster) = (OutRead, OutWrite, ErrRead, ErrWrite, StdinWrite, PtyMaster);
        OutRead = OutWrite = ErrRead = ErrWrite = StdinWrite = PtyMaster = -1;
    }

    public void Dispose()
    {
        CloseAll();
    }

    private void CloseAll()
    {
        var fds = new[] { OutRead, OutWrite, ErrRead, ErrWrite, StdinWrite, PtyMaster, _consoleTheirs, _consoleMine, _stdinRead, _devNull, _saved[0], _saved[1], _saved[2] };
        foreach (var fd in fds)
        {
            if (fd >= 0)
            {
                Libc.Close(fd);
            }
        }

        OutRead = OutWrite = ErrRead = ErrWrite = StdinWrite = PtyMaster = _consoleTheirs = _consoleMine = _stdinRead = _devNull = -1;
        _saved[0] = _saved[1] = _saved[2] = -1;
    }

    private void SaveStdio()
    {
        _devNull = Libc.Open("/dev/null", Consts.O_RDWR | Consts.O_CLOEXEC, 0);
        Libc.Check(_devNull, "open", "/dev/null");
        for (var i = 0; i < 3; i++)
        {
            // A closed fd (EBADF) is restored as /dev/null.
            _saved[i] = Libc.Fcntl(i, Consts.F_DUPFD_CLOEXEC, 3);
        }
    }

    private static (int Read, int Write) Pipe(string what)
    {
        var fds = stackalloc int[2];
        Libc.Check(Libc.Pipe2(fds, Consts.O_CLOEXEC), "pipe2", what);
        return (fds[0], fds[1]);
    }

    private static void CloseFd(ref int fd)
    {
        if (fd >= 0)
        {
            Libc.Close(fd);
            fd = -1;
        }
    }
}
