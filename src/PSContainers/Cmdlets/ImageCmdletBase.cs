using System.Collections.Concurrent;
using System.Management.Automation;
using Microsoft.Extensions.Logging;
using PSContainers.Core.Images;
using PSContainers.Logging;

namespace PSContainers.Cmdlets;

/// <summary>Shared plumbing of the image cmdlets: one ImageService call on a worker thread, its progress as Write-Progress, failures as ErrorRecords.</summary>
public abstract class ImageCmdletBase : ContainerCmdletBase
{
    /// <summary>The PSTypeName image objects carry, which the format view and users' scripts select on.</summary>
    public const string ImageTypeName = "PSContainers.ContainerImage";

    /// <summary>Runs work off the pipeline thread; progress reports become progress records; null on a reported failure.</summary>
    protected T? Images<T>(object target, Func<ImageService, IProgress<ImageProgress>, CancellationToken, T> work)
    {
        using var provider = new CmdletLoggerProvider
        {
            MinimumLevel = MyInvocation.BoundParameters.ContainsKey("Debug") ? LogLevel.Trace : LogLevel.Debug,
        };
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(StopToken);
        var reports = new ConcurrentQueue<ImageProgress>();
        var progress = new QueueProgress(reports);
        var logger = provider.CreateLogger(GetType().Name);
        var task = Task.Run(() => work(new ImageService(logger: logger), progress, cancel.Token), CancellationToken.None);
        var records = new Dictionary<string, ProgressRecord>();
        var lastWrite = DateTime.MinValue;
        try
        {
            // Not task.Wait: it would wrap the engine's exception in an AggregateException.
            while (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(50))
            {
                provider.Drain(this);
                WriteReports(reports, records, ref lastWrite);
            }

            provider.Drain(this);
            return task.GetAwaiter().GetResult();
        }
        catch (Exception e) when (ToErrorRecord(e, target) is { } record)
        {
            WriteError(record);
            return default;
        }
        finally
        {
            cancel.Cancel();
            ((IAsyncResult)task).AsyncWaitHandle.WaitOne();

            foreach (var r in records.Values)
            {
                r.RecordType = ProgressRecordType.Completed;
                WriteProgress(r);
            }
        }
    }

    /// <summary>An image object with the PSContainers.ContainerImage type name in front.</summary>
    protected static PSObject AsImageObject(ContainerImage image)
    {
        var o = PSObject.AsPSObject(image);
        if (!o.TypeNames.Contains(ImageTypeName))
        {
            o.TypeNames.Insert(0, ImageTypeName);
        }

        return o;
    }

    private void WriteReports(ConcurrentQueue<ImageProgress> reports, Dictionary<string, ProgressRecord> records, ref DateTime lastWrite)
    {
        ImageProgress? latest = null;
        while (reports.TryDequeue(out var p))
        {
            latest = p;
        }

        // Write-Progress is slow in some hosts: a few updates a second are enough.
        if (latest is null || DateTime.UtcNow - lastWrite < TimeSpan.FromMilliseconds(200))
        {
            return;
        }

        lastWrite = DateTime.UtcNow;
        if (!records.TryGetValue(latest.Activity, out var record))
        {
            record = new ProgressRecord(records.Count + 1, latest.Activity, latest.Item);
            records[latest.Activity] = record;
        }

        record.StatusDescription = latest.Total is { } total
            ? $"{latest.Item}: {latest.Current / 1048576.0:N1} MB of {total / 1048576.0:N1} MB"
            : $"{latest.Item}: {latest.Current / 1048576.0:N1} MB";
        record.PercentComplete = latest.Total is > 0 ? (int)Math.Clamp(100 * latest.Current / latest.Total.Value, 0, 100) : -1;
        WriteProgress(record);
    }

    private sealed class QueueProgress(ConcurrentQueue<ImageProgress> queue) : IProgress<ImageProgress>
    {
        public void Report(ImageProgress value)
        {
            if (queue.Count < 1000)
            {
                queue.Enqueue(value);
            }
        }
    }
}
