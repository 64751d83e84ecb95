using System.Text;
using PSContainers.Native;

namespace PSContainers.Core.Containers;

/// <summary>
/// The ready pipe of a detached child (the monitor, the API service): it writes "1" once it is ready, or a message
/// and closes its end when it failed. "1" counts at once; anything else is complete at end-of-file.
/// </summary>
internal static class ReadyPipe
{
    /// <summary>Reads the child's answer from fd; past the timeout, throws what late() makes.</summary>
    public static unsafe string ReadAnswer(int fd, TimeSpan timeout, Func<ContainerEngineException> late, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        var buffer = stackalloc byte[4096];
        var received = new MemoryStream();
        var pfd = new PollFd { Fd = fd, Events = Consts.POLLIN };
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (DateTime.UtcNow > deadline)
            {
                throw late();
            }

            pfd.REvents = 0;
            if (Libc.Poll(&pfd, 1, 100) <= 0)
            {
                continue;
            }

            var n = (int)Libc.Read(fd, buffer, 4096);
            if (n <= 0)
            {
                return Encoding.UTF8.GetString(received.ToArray()).Trim();
            }

            received.Write(new ReadOnlySpan<byte>(buffer, n));
            if (Encoding.UTF8.GetString(received.ToArray()).Trim() == "1")
            {
                return "1";
            }
        }
    }
}
