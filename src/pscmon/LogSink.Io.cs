namespace PSContainers.Runtime.Monitor;

// The write and the clock of the shared LogSink in pscmon.
internal sealed unsafe partial class LogSink
{
    private static nint WriteFd(int fd, byte* data, int length) => Pscmon.Sys.write(fd, data, length);

    private static bool Interrupted() => Pscmon.Sys.Errno == Pscmon.Sys.EINTR;

    private static void NowUtc(out long unixSeconds, out int ticks)
    {
        var ts = stackalloc long[2];
        Pscmon.Sys.clock_gettime(Pscmon.Sys.CLOCK_REALTIME, ts);
        unixSeconds = ts[0];
        ticks = (int)(ts[1] / 100);
    }
}
