using PSContainers.Native;

namespace PSContainers.Core.Containers;

/// <summary>A pipe whose read end becomes readable when a token is cancelled or Wake is called, to end a poll without a timer.</summary>
internal sealed unsafe class WakePipe : IDisposable
{
    private readonly CancellationTokenRegistration _registration;
    private int _read = -1;
    private int _write = -1;

    public WakePipe(CancellationToken cancellationToken)
    {
        var fds = stackalloc int[2];
        Libc.Check(Libc.Pipe2(fds, Consts.O_CLOEXEC | Consts.O_NONBLOCK), "pipe2", "wake pipe");
        (_read, _write) = (fds[0], fds[1]);
        _registration = cancellationToken.Register(Wake);
    }

    public int ReadFd => _read;

    public void Wake()
    {
        byte b = 1;
        var fd = _write;
        if (fd >= 0)
        {
            Libc.Write(fd, &b, 1);
        }
    }

    /// <summary>Empties the pipe after a wake-up was handled.</summary>
    public void Drain()
    {
        var buffer = stackalloc byte[64];
        while (Libc.Read(_read, buffer, 64) > 0)
        {
        }
    }

    public void Dispose()
    {
        _registration.Dispose();
        if (_read >= 0)
        {
            Libc.Close(_read);
            _read = -1;
        }

        var w = _write;
        _write = -1;
        if (w >= 0)
        {
            Libc.Close(w);
        }
    }
}
