using System.Text;
using System.Text.Json;
using PSContainers.Native;
using PSContainers.Runtime.Monitor;

using Xunit;

namespace PSContainers.Runtime.Tests.Monitor;

/// <summary>The container log gets one JSON entry per line and stream, including a last line without newline.</summary>
public sealed unsafe class LogWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("psc-log-").FullName;

    [Fact]
    public void SplitsLinesPerStreamAndKeepsTheUnterminatedTail()
    {
        var entries = Pump(("stdout", "a\nb"), ("stderr", "héllo <x> \"q\"\n"), ("stdout", "c\r\nrest"));
        Assert.Equal(new[] { "a", "bc\r", "rest" }, entries.Where(e => e.Stream == "stdout").Select(e => e.Text));
        Assert.Equal(new[] { "héllo <x> \"q\"" }, entries.Where(e => e.Stream == "stderr").Select(e => e.Text));
    }

    [Fact]
    public void CutsVeryLongLinesIntoPieces()
    {
        var entries = Pump(("stdout", new string('x', 40000) + "\nend\n"));
        Assert.Equal(new[] { 16384, 16384, 40000 - 32768, 3 }, entries.Select(e => e.Text.Length));
    }

    private List<LogEntry> Pump(params (string Stream, string Text)[] writes)
    {
        var outFds = stackalloc int[2];
        var errFds = stackalloc int[2];
        Assert.Equal(0, Libc.Pipe2(outFds, Consts.O_CLOEXEC));
        Assert.Equal(0, Libc.Pipe2(errFds, Consts.O_CLOEXEC));
        var path = Path.Combine(_dir, "container.log");
        using (var writer = new LogWriter(path, outFds[0], errFds[0]))
        {
            writer.Start();
            foreach (var (stream, text) in writes)
            {
                var bytes = Encoding.UTF8.GetBytes(text);
                var fd = stream == "stdout" ? outFds[1] : errFds[1];
                fixed (byte* p = bytes)
                {
                    for (var done = 0; done < bytes.Length;)
                    {
                        var n = (int)Libc.Write(fd, p + done, bytes.Length - done);
                        Assert.True(n > 0);
                        done += n;
                    }
                }

                // Let the reader see each write on its own, as separate writes from a container arrive.
                Thread.Sleep(20);
            }

            Libc.Close(outFds[1]);
            Libc.Close(errFds[1]);
            Assert.True(writer.WaitForEnd(TimeSpan.FromSeconds(5)));
        }

        return File.ReadAllLines(path).Select(l => JsonSerializer.Deserialize(l, MonitorJsonContext.Default.LogEntry)!).ToList();
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
