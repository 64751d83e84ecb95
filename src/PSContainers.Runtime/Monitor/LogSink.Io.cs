namespace PSContainers.Runtime.Monitor;

// The write and the clock of LogSink in pscrun (pscmon has its own, on its bare libc imports).
internal sealed unsafe partial class LogSink
{
    private static nint WriteFd(int fd, byte* data, int length) => Libc.Write(fd, data, length);

    private static bool Interrupted() => Libc.LastErrno == Errno.EINTR;

    private static void NowUtc(out long unixSeconds, out int ticks)
    {
        var now = DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks;
        unixSeconds = now / TimeSpan.TicksPerSecond;
        ticks = (int)(now % TimeSpan.TicksPerSecond);
    }
}
