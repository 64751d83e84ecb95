using Microsoft.Extensions.Logging;
using PSContainers.Logging;

using Xunit;

namespace PSContainers.Tests.Logging;

public sealed class CmdletLoggerProviderTests
{
    [Fact]
    public void EachLevelGoesToItsStream()
    {
        using var provider = new CmdletLoggerProvider { MinimumLevel = LogLevel.Trace };
        var log = provider.CreateLogger("test");
        log.LogTrace("t");
        log.LogDebug("d");
        log.LogInformation("i {N}", 1);
        log.LogWarning("w");
        log.LogError("e");
        log.LogCritical("c");
        var writer = new RecordingStreamWriter();

        Assert.Equal(6, provider.Drain(writer));

        Assert.Equal(
            new[] { ("Debug", "t"), ("Debug", "d"), ("Verbose", "i 1"), ("Warning", "w"), ("Verbose", "error: e"), ("Verbose", "error: c") },
            writer.Lines.Select(l => (l.Stream, l.Text)));
    }

    [Fact]
    public void MessagesBelowTheMinimumAreNotQueued()
    {
        using var provider = new CmdletLoggerProvider();
        var log = provider.CreateLogger("test");
        Assert.False(log.IsEnabled(LogLevel.Trace));
        log.LogTrace("hidden");
        log.LogDebug("shown");
        var writer = new RecordingStreamWriter();

        provider.Drain(writer);

        Assert.Equal(["shown"], writer.Lines.Select(l => l.Text));
    }

    [Fact]
    public void AnExceptionMessageIsAppendedOnce()
    {
        using var provider = new CmdletLoggerProvider();
        var log = provider.CreateLogger("test");
        log.LogWarning(new IOException("disk full"), "cannot write the log");
        log.LogError(new IOException("disk full"), "failed: {Reason}", "disk full");
        var writer = new RecordingStreamWriter();

        provider.Drain(writer);

        Assert.Equal(["cannot write the log: disk full", "error: failed: disk full"], writer.Lines.Select(l => l.Text));
    }

    [Fact]
    public void DrainKeepsTheOrderOfEachThreadAndLosesNothing()
    {
        using var provider = new CmdletLoggerProvider();
        const int threads = 4, perThread = 500;
        var writer = new RecordingStreamWriter();
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var log = provider.CreateLogger("t" + t);
            for (var i = 0; i < perThread; i++)
            {
                log.LogInformation("{Thread}:{Index}", t, i);
            }
        })).ToList();
        workers.ForEach(w => w.Start());

        // Drain while they write, as the pipeline thread does.
        while (workers.Any(w => w.IsAlive))
        {
            provider.Drain(writer);
        }

        provider.Drain(writer);

        Assert.Equal(threads * perThread, writer.Lines.Count);
        for (var t = 0; t < threads; t++)
        {
            var indexes = writer.Lines.Select(l => l.Text.Split(':')).Where(p => p[0] == t.ToString()).Select(p => int.Parse(p[1]));
            Assert.Equal(Enumerable.Range(0, perThread), indexes);
        }
    }

    [Fact]
    public void ASecondDrainWritesOnlyNewMessages()
    {
        using var provider = new CmdletLoggerProvider();
        var log = provider.CreateLogger("test");
        log.LogInformation("one");
        var writer = new RecordingStreamWriter();
        provider.Drain(writer);
        log.LogInformation("two");

        Assert.Equal(1, provider.Drain(writer));
        Assert.Equal(0, provider.Drain(writer));

        Assert.Equal(["one", "two"], writer.Lines.Select(l => l.Text));
    }

    [Fact]
    public void AFloodBeyondCapacityIsDroppedWithAWarning()
    {
        using var provider = new CmdletLoggerProvider();
        var log = provider.CreateLogger("test");
        for (var i = 0; i < CmdletLoggerProvider.Capacity + 5; i++)
        {
            log.LogInformation("m");
        }

        var writer = new RecordingStreamWriter();
        provider.Drain(writer);

        Assert.Equal(CmdletLoggerProvider.Capacity + 1, writer.Lines.Count);
        Assert.Equal(("Warning", "5 log messages were dropped because they came faster than they could be shown."), (writer.Lines[^1].Stream, writer.Lines[^1].Text));
    }
}
