using PSContainers.Core.Containers;

namespace PSContainers.Core.Tests;

public sealed class ContainerLogReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Log(params string[] texts)
    {
        var path = Path.Combine(_dir.Path, "container.log");
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        File.WriteAllLines(path, texts.Select((t, i) =>
            $"{{\"time\":\"{start.AddSeconds(i):yyyy-MM-ddTHH:mm:ss.fffffffZ}\",\"stream\":\"{(i % 2 == 0 ? "stdout" : "stderr")}\",\"text\":\"{t}\"}}"));
        return path;
    }

    [Fact]
    public void ReadsEveryLineWithTimeAndStream()
    {
        var entries = ContainerLogReader.Read(Log("a", "b", "c"), false, null, null, () => true, default).ToList();
        Assert.Equal(["a", "b", "c"], entries.Select(e => e.Text));
        Assert.Equal("stderr", entries[1].Stream);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 1, TimeSpan.Zero), entries[1].Time);
    }

    [Fact]
    public void TailAndSinceFilter()
    {
        var path = Log("a", "b", "c", "d");
        Assert.Equal(["c", "d"], ContainerLogReader.Read(path, false, 2, null, () => true, default).Select(e => e.Text));
        Assert.Equal(["c", "d"], ContainerLogReader.Read(path, false, null, new DateTimeOffset(2026, 1, 1, 0, 0, 2, TimeSpan.Zero), () => true, default).Select(e => e.Text));
    }

    [Fact]
    public async Task FollowSeesLinesAppendedUntilTheContainerIsFinished()
    {
        var path = Log("first");
        var finished = false;
        var seen = new List<string>();
        var reader = Task.Run(() =>
        {
            foreach (var e in ContainerLogReader.Read(path, true, null, null, () => Volatile.Read(ref finished), default))
            {
                lock (seen)
                {
                    seen.Add(e.Text);
                }
            }
        });
        await Task.Delay(300);
        // A partial line is held back until its newline arrives.
        File.AppendAllText(path, "{\"time\":\"2026-01-01T00:00:09Z\",\"stream\":\"stdout\",\"text\":\"sec");
        await Task.Delay(300);
        lock (seen)
        {
            Assert.Equal(["first"], seen);
        }

        File.AppendAllText(path, "ond\"}\n");
        Volatile.Write(ref finished, true);
        await reader.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(["first", "second"], seen);
    }

    [Fact]
    public void AMissingLogIsEmpty() =>
        Assert.Empty(ContainerLogReader.Read(Path.Combine(_dir.Path, "none.log"), false, null, null, () => true, default));
}
