using System.Runtime.InteropServices;
using PSContainers.Native;

namespace PSContainers.Core.State;

/// <summary>A flock on a lock file, held until disposed: exclusive, or shared by many readers (pulls, imports) against one writer (prune); works across processes and, per open file, across threads.</summary>
public sealed class FileLock : IDisposable
{
    private int _fd;

    private FileLock(int fd) => _fd = fd;

    public static FileLock Acquire(string path, TimeSpan? timeout = null, CancellationToken cancellationToken = default, bool exclusive = true)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        // Each acquisition opens its own file description: flock then excludes other threads of this process too.
        // A raw open, because FileStream takes its own flock on Unix and would fail while another process holds ours.
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

                Thread.Sleep(5);
            }

            return new FileLock(fd);
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
