using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using PSContainers.Native;
using PSContainers.Runtime.Monitor;

using Xunit;

namespace PSContainers.Runtime.Tests.Monitor;

/// <summary>The container log gets one JSON entry per line and stream, including a last line without newline, and is always valid JSON.</summary>
public sealed unsafe class LogSinkTests : IDisposable
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
    public void ATerminalsLinesLoseTheirCarriageReturnOthersKeepIt()
    {
        Assert.Equal(new[] { "a\r", "b" }, Pump(("stdout", "a\r\nb\n")).Select(e => e.Text));
        Assert.Equal(new[] { "a", "b" }, PumpBytes(terminal: true, (0, Encoding.UTF8.GetBytes("a\r\nb\r\n"))).Select(e => e.Text));
    }

    [Fact]
    public void CutsVeryLongLinesIntoPieces()
    {
        var entries = Pump(("stdout", new string('x', 40000) + "\nend\n"));
        Assert.Equal(new[] { 16384, 16384, 40000 - 32768, 3 }, entries.Select(e => e.Text.Length));
    }

    [Fact]
    public void EscapesControlCharactersAndReplacesBytesThatAreNotUtf8()
    {
        var bytes = new List<byte>();
        bytes.AddRange(Encoding.UTF8.GetBytes("tab\there \\ bell\a esc\u001b "));
        bytes.AddRange(new byte[] { 0xff, (byte)'x', 0xc3 });
        bytes.AddRange(Encoding.UTF8.GetBytes(" 日本 \U0001F600\n"));
        var entries = PumpBytes((0, bytes.ToArray()));
        Assert.Equal("tab\there \\ bell\a esc\u001b \uFFFDx\uFFFD 日本 \U0001F600", Assert.Single(entries).Text);
    }

    [Fact]
    public void StampsEachLineWithTheCurrentUtcTime()
    {
        var before = DateTime.UtcNow;
        var entry = Assert.Single(Pump(("stderr", "x\n")));
        var time = DateTime.Parse(entry.Time, null, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$", entry.Time);
        Assert.InRange(time, before.AddSeconds(-1), DateTime.UtcNow.AddSeconds(1));
    }

    private sealed record Entry(string Time, string Stream, string Text);

    private List<Entry> Pump(params (string Stream, string Text)[] writes) =>
        PumpBytes(false, writes.Select(w => (w.Stream == "stdout" ? 0 : 1, Encoding.UTF8.GetBytes(w.Text))).ToArray());

    private List<Entry> PumpBytes(params (int Stream, byte[] Bytes)[] writes) => PumpBytes(false, writes);

    private List<Entry> PumpBytes(bool terminal, params (int Stream, byte[] Bytes)[] writes)
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".log");
        var fd = Libc.Open(path, Consts.O_WRONLY | Consts.O_CREAT | Consts.O_APPEND | Consts.O_CLOEXEC, 0x1A0);
        Assert.True(fd >= 0);
        var memory = (byte*)NativeMemory.AllocZeroed(2 * LogSink.MaxLine + LogSink.OutputSize);
        try
        {
            var sink = new LogSink(fd, memory, memory + LogSink.MaxLine, memory + (2 * LogSink.MaxLine), terminal);
            foreach (var (stream, bytes) in writes)
            {
                fixed (byte* p = bytes)
                {
                    sink.Append(stream, p, bytes.Length);
                }
            }

            sink.FlushPartial(0);
            sink.FlushPartial(1);
        }
        finally
        {
            NativeMemory.Free(memory);
            Libc.Close(fd);
        }

        return File.ReadAllLines(path).Select(l =>
        {
            using var doc = JsonDocument.Parse(l);
            var e = doc.RootElement;
            return new Entry(e.GetProperty("time").GetString()!, e.GetProperty("stream").GetString()!, e.GetProperty("text").GetString()!);
        }).ToList();
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
