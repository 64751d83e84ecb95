using Microsoft.Extensions.Logging;
using PSContainers.Logging;

using Xunit;

namespace PSContainers.Tests.Logging;

public sealed class LoggedWorkTests
{
    [Fact]
    public void WorkRunsOnAnotherThreadAndItsMessagesAreWrittenOnTheCallingThread()
    {
        using var provider = new CmdletLoggerProvider();
        var writer = new RecordingStreamWriter();
        var caller = Environment.CurrentManagedThreadId;
        var workerThread = 0;

        var result = LoggedWork.Run(provider, writer, "test", (log, _) =>
        {
            workerThread = Environment.CurrentManagedThreadId;
            log.LogInformation("first");
            Thread.Sleep(150);
            log.LogDebug("second");
            return 42;
        }, CancellationToken.None, TimeSpan.FromMilliseconds(10));

        Assert.Equal(42, result);
        Assert.NotEqual(caller, workerThread);
        Assert.Equal([("Verbose", "first"), ("Debug", "second")], writer.Lines.Select(l => (l.Stream, l.Text)));
        Assert.All(writer.Lines, l => Assert.Equal(caller, l.ThreadId));
    }

    [Fact]
    public void MessagesAppearWhileTheWorkIsStillRunning()
    {
        using var provider = new CmdletLoggerProvider();
        var writer = new RecordingStreamWriter();
        using var seen = new ManualResetEventSlim();
        var watcher = new Thread(() =>
        {
            // The writer's list is only appended to; polling its count is enough here.
            for (var i = 0; i < 200 && writer.Lines.Count == 0; i++)
            {
                Thread.Sleep(10);
            }

            if (writer.Lines.Count > 0)
            {
                seen.Set();
            }
        });
        watcher.Start();

        LoggedWork.Run(provider, writer, "test", (log, _) =>
        {
            log.LogInformation("early");
            return seen.Wait(TimeSpan.FromSeconds(5));
        }, CancellationToken.None, TimeSpan.FromMilliseconds(10));

        watcher.Join();
        Assert.True(seen.IsSet, "the early message was not written before the work finished");
    }

    [Fact]
    public void AnExceptionFromTheWorkComesBackUnchangedAfterItsMessages()
    {
        using var provider = new CmdletLoggerProvider();
        var writer = new RecordingStreamWriter();

        var e = Assert.Throws<InvalidDataException>(() => LoggedWork.Run<int>(provider, writer, "test", (log, _) =>
        {
            log.LogWarning("about to fail");
            throw new InvalidDataException("bad");
        }, CancellationToken.None));

        Assert.Equal("bad", e.Message);
        Assert.Equal([("Warning", "about to fail")], writer.Lines.Select(l => (l.Stream, l.Text)));
    }

    [Fact]
    public void CancellationReachesTheWork()
    {
        using var provider = new CmdletLoggerProvider();
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        Assert.ThrowsAny<OperationCanceledException>(() => LoggedWork.Run(provider, new RecordingStreamWriter(), "test", (_, ct) =>
        {
            ct.WaitHandle.WaitOne(TimeSpan.FromSeconds(30));
            ct.ThrowIfCancellationRequested();
            return 0;
        }, stop.Token));
    }

    [Fact]
    public void AWriterFailureWaitsForTheWorkThenSurfaces()
    {
        using var provider = new CmdletLoggerProvider();
        var writer = new RecordingStreamWriter { ThrowOnWrite = new InvalidOperationException("pipeline stopped") };
        var finished = false;

        var e = Assert.Throws<InvalidOperationException>(() => LoggedWork.Run(provider, writer, "test", (log, _) =>
        {
            log.LogInformation("x");
            Thread.Sleep(100);
            finished = true;
            return 1;
        }, CancellationToken.None, TimeSpan.FromMilliseconds(10)));

        Assert.Equal("pipeline stopped", e.Message);
        Assert.True(finished);
    }
}
