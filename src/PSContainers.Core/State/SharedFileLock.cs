using System.Runtime.InteropServices;
using PSContainers.Native;

namespace PSContainers.Core.State;

/// <summary>A shared or exclusive flock held until disposed: many readers (pulls, imports) or one writer (prune).</summary>
public sealed class SharedFileLock : IDisposable
{
    private int _fd;

    private SharedFileLock(int fd) => _fd = fd;

    public static SharedFileLock Acquire(string path, bool exclusive, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var deadline = DateTime.UtcNow + timeout;
        var fd = Libc.Open(path, Consts.O_RDWR | Consts.O_CREAT | Consts.O_CLOEXEC, 0x1A4);
        Libc.Check(fd, "open", path);
        try
        {
            while (Libc.Flock(fd, (exclusive ? Libc.LOCK_EX : Libc.LOCK_SH) | Libc.LOCK_NB) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno != Errno.EAGAIN && errno != Errno.EINTR)
                {
                    throw new IOException($"flock {path} failed: errno {errno}");
                }

                cancellationToken.ThrowIfCancellationRequested();
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"timed out waiting for the lock {path}; another PSContainers operation holds it.");
                }

                Thread.Sleep(10);
            }

            return new SharedFileLock(fd);
        }
        catch
        {
            Libc.Close(fd);
            throw;
        }
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            Libc.Close(fd);
        }
    }
}
