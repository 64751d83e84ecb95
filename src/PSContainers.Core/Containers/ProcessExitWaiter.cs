using PSContainers.Native;
using PSContainers.Runtime.Container;

namespace PSContainers.Core.Containers;

/// <summary>Waits for a process that is not our child to end, woken by its pidfd instead of a polling sleep.</summary>
internal static unsafe class ProcessExitWaiter
{
    // Cancellation is looked at this often while the process lives.
    private const int SliceMilliseconds = 100;

    /// <summary>True when the process ended (or never existed) within the timeout; a zombie counts as ended.</summary>
    public static bool WaitForExit(int pid, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (pid <= 0 || ProcStat.StartTime(pid) is null)
        {
            return true;
        }

        var pidfd = Libc.PidfdOpen(pid);
        if (pidfd < 0)
        {
            // ESRCH: gone between the two looks. Anything else (an old kernel): let the caller poll.
            return Libc.LastErrno == Errno.ESRCH;
        }

        try
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    return false;
                }

                var pfd = new PollFd { Fd = pidfd, Events = Consts.POLLIN };
                var rc = Libc.Poll(&pfd, 1, (int)Math.Min(SliceMilliseconds, Math.Ceiling(left.TotalMilliseconds)));
                if (rc > 0)
                {
                    return true;
                }
            }
        }
        finally
        {
            Libc.Close(pidfd);
        }
    }
}
