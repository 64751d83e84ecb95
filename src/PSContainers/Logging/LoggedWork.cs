using Microsoft.Extensions.Logging;

namespace PSContainers.Logging;

/// <summary>Runs work on a worker thread while the calling (pipeline) thread drains its log messages into the streams.</summary>
public static class LoggedWork
{
    public static readonly TimeSpan DefaultDrainInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Returns the work's result or rethrows its exception unchanged, after every message it logged
    /// has been written. If the writer throws (the pipeline is stopping), draining stops, the work
    /// is still awaited so it can finish its clean-up, and the writer's exception is rethrown.
    /// onDrain runs on the calling thread after each drain (progress records are written there).
    /// </summary>
    public static T Run<T>(
        CmdletLoggerProvider provider,
        ICmdletStreamWriter writer,
        string category,
        Func<ILogger, CancellationToken, T> work,
        CancellationToken cancellationToken,
        TimeSpan? drainInterval = null,
        Action? onDrain = null)
    {
        var logger = provider.CreateLogger(category);
        var task = Task.Run(() => work(logger, cancellationToken), CancellationToken.None);
        var wait = ((IAsyncResult)task).AsyncWaitHandle;
        var interval = drainInterval ?? DefaultDrainInterval;
        Exception? writerFailure = null;
        do
        {
            if (writerFailure is null)
            {
                try
                {
                    provider.Drain(writer);
                    onDrain?.Invoke();
                }
                catch (Exception e)
                {
                    writerFailure = e;
                }
            }
        }
        while (!wait.WaitOne(interval));

        if (writerFailure is null)
        {
            try
            {
                provider.Drain(writer);
                onDrain?.Invoke();
            }
            catch (Exception e)
            {
                writerFailure = e;
            }
        }

        if (writerFailure is not null && task.IsCompletedSuccessfully)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(writerFailure);
        }

        return task.GetAwaiter().GetResult();
    }
}
