using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace PSContainers.Logging;

/// <summary>
/// Collects log messages from any thread and hands them to a cmdlet's streams when the pipeline
/// thread drains it: PowerShell accepts stream writes only from that thread.
/// </summary>
public sealed class CmdletLoggerProvider : ILoggerProvider
{
    /// <summary>Messages kept at most while nobody drains; older ones are dropped (and counted) beyond it.</summary>
    public const int Capacity = 10_000;

    private readonly ConcurrentQueue<CmdletLogEntry> _queue = new();
    private int _count;
    private int _dropped;

    /// <summary>Messages below this level are not queued at all.</summary>
    public LogLevel MinimumLevel { get; set; } = LogLevel.Debug;

    public ILogger CreateLogger(string categoryName) => new CmdletLogger(this, categoryName);

    internal void Enqueue(CmdletLogEntry entry)
    {
        if (Interlocked.Increment(ref _count) > Capacity)
        {
            Interlocked.Decrement(ref _count);
            Interlocked.Increment(ref _dropped);
            return;
        }

        _queue.Enqueue(entry);
    }

    /// <summary>
    /// Writes every queued message to the streams in the order they were logged: Information to
    /// Verbose, Debug and Trace to Debug, Warning to Warning, Error and Critical to Verbose with an
    /// "error:" prefix (errors that matter reach the user as ErrorRecords). Call it on the pipeline thread.
    /// </summary>
    public int Drain(ICmdletStreamWriter writer)
    {
        var written = 0;
        while (_queue.TryDequeue(out var entry))
        {
            Interlocked.Decrement(ref _count);
            Write(writer, entry);
            written++;
        }

        var dropped = Interlocked.Exchange(ref _dropped, 0);
        if (dropped > 0)
        {
            writer.WriteWarning($"{dropped} log messages were dropped because they came faster than they could be shown.");
        }

        return written;
    }

    private static void Write(ICmdletStreamWriter writer, CmdletLogEntry entry)
    {
        var text = entry.Exception is null || entry.Message.Contains(entry.Exception.Message, StringComparison.Ordinal)
            ? entry.Message
            : $"{entry.Message}: {entry.Exception.Message}";
        switch (entry.Level)
        {
            case LogLevel.Trace or LogLevel.Debug:
                writer.WriteDebug(text);
                break;
            case LogLevel.Information:
                writer.WriteVerbose(text);
                break;
            case LogLevel.Warning:
                writer.WriteWarning(text);
                break;
            case LogLevel.Error or LogLevel.Critical:
                writer.WriteVerbose("error: " + text);
                break;
        }
    }

    public void Dispose()
    {
    }
}
