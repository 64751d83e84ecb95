using System.Runtime.InteropServices;
using PSContainers.Native;

namespace PSContainers.Core.State;

/// <summary>An exclusive flock on a lock file, held until disposed; works across processes and, per open file, across threads.</summary>
public sealed class FileLock : IDisposable
{
    private readonly FileStream _stream;

    private FileLock(FileStream stream) => _stream = stream;

    public static FileLock Acquire(string path, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        // Each acquisition opens its own file description: flock then excludes other threads of this process too.
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            var fd = (int)stream.SafeFileHandle.DangerousGetHandle();
            while (Libc.Flock(fd, Libc.LOCK_EX | Libc.LOCK_NB) != 0)
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

            return new FileLock(stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public void Dispose() => _stream.Dispose();
}
