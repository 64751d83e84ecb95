namespace PSContainers.Runtime.Monitor;

/// <summary>The container's stdio: pipes for stdout and stderr, /dev/null for stdin, swapped onto fds 0-2 around create.</summary>
/// <remarks>
/// LinuxContainerRuntime.Create clones the init from this process, so the init inherits whatever fds 0, 1 and 2
/// are at that moment. The write ends stay open in the monitor across restarts, so the log reader sees end of
/// file only once the monitor closes them after the final exit.
/// </remarks>
internal sealed class MonitorStdio : IDisposable
{
    private const int F_DUPFD_CLOEXEC = 1030;

    private readonly int[] _saved = { -1, -1, -1 };

    private MonitorStdio()
    {
    }

    public int OutRead { get; private set; } = -1;

    public int ErrRead { get; private set; } = -1;

    private int OutWrite { get; set; } = -1;

    private int ErrWrite { get; set; } = -1;

    private int DevNull { get; set; } = -1;

    public static unsafe MonitorStdio Open()
    {
        var s = new MonitorStdio();
        try
        {
            var fds = stackalloc int[2];
            Libc.Check(Libc.Pipe2(fds, Consts.O_CLOEXEC), "pipe2", "stdout");
            (s.OutRead, s.OutWrite) = (fds[0], fds[1]);
            Libc.Check(Libc.Pipe2(fds, Consts.O_CLOEXEC), "pipe2", "stderr");
            (s.ErrRead, s.ErrWrite) = (fds[0], fds[1]);
            s.DevNull = Libc.Open("/dev/null", Consts.O_RDWR | Consts.O_CLOEXEC, 0);
            Libc.Check(s.DevNull, "open", "/dev/null");
            for (var i = 0; i < 3; i++)
            {
                // A closed fd (EBADF) is restored as /dev/null.
                s._saved[i] = Libc.Fcntl(i, F_DUPFD_CLOEXEC, 3);
            }

            return s;
        }
        catch
        {
            s.CloseReadEnds();
            s.Dispose();
            throw;
        }
    }

    /// <summary>Puts /dev/null and the pipes' write ends on fds 0, 1 and 2 for the next clone.</summary>
    public void Redirect()
    {
        Libc.Check(Libc.Dup2(DevNull, 0), "dup2", "stdin");
        Libc.Check(Libc.Dup2(OutWrite, 1), "dup2", "stdout");
        Libc.Check(Libc.Dup2(ErrWrite, 2), "dup2", "stderr");
    }

    /// <summary>Gives the monitor back the fds 0-2 it was started with.</summary>
    public void Restore()
    {
        for (var i = 0; i < 3; i++)
        {
            Libc.Dup2(_saved[i] >= 0 ? _saved[i] : DevNull, i);
        }
    }

    /// <summary>Drops the monitor's write ends, so the reader ends once the container's processes are gone.</summary>
    public void CloseWriteEnds()
    {
        CloseFd(OutWrite);
        CloseFd(ErrWrite);
        OutWrite = ErrWrite = -1;
    }

    /// <summary>For a failure before a LogWriter took ownership of the read ends.</summary>
    public void CloseReadEnds()
    {
        CloseFd(OutRead);
        CloseFd(ErrRead);
        OutRead = ErrRead = -1;
    }

    public void Dispose()
    {
        CloseWriteEnds();
        CloseFd(DevNull);
        DevNull = -1;
        for (var i = 0; i < 3; i++)
        {
            CloseFd(_saved[i]);
            _saved[i] = -1;
        }
    }

    private static void CloseFd(int fd)
    {
        if (fd >= 0)
        {
            Libc.Close(fd);
        }
    }
}
