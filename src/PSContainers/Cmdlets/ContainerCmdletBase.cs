using System.Collections.Concurrent;
using System.Management.Automation;
using Microsoft.Extensions.Logging;
using PSContainers.Core.Containers;
using PSContainers.Logging;

namespace PSContainers.Cmdlets;

/// <summary>Shared plumbing of the container cmdlets: one engine call per item, engine failures as ErrorRecords.</summary>
public abstract class ContainerCmdletBase : CmdletBase
{
    /// <summary>Runs one engine call with the log in the Verbose stream; a failure becomes a non-terminating error and null.</summary>
    protected T? Engine<T>(object target, Func<IContainerService, CancellationToken, T> work)
    {
        try
        {
            return RunWithLogging((log, ct) => work(new ContainerService(logger: log), ct));
        }
        catch (Exception e) when (ToErrorRecord(e, target) is { } record)
        {
            WriteError(record);
            return default;
        }
    }

    /// <summary>
    /// Runs work that produces items over time (log lines, exec output) on a worker thread and writes each
    /// item from the pipeline thread as it arrives; the engine log is drained in between.
    /// </summary>
    protected bool Stream<TItem>(object target, Action<IContainerService, Action<TItem>, CancellationToken> work, Action<TItem> write)
    {
        using var provider = new CmdletLoggerProvider
        {
            MinimumLevel = MyInvocation.BoundParameters.ContainsKey("Debug") ? LogLevel.Trace : LogLevel.Debug,
        };
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(StopToken);
        using var queue = new BlockingCollection<TItem>();
        var logger = provider.CreateLogger(GetType().Name);
        var task = Task.Run(() =>
        {
            try
            {
                work(new ContainerService(logger: logger), queue.Add, cancel.Token);
            }
            finally
            {
                queue.CompleteAdding();
            }
        }, CancellationToken.None);
        try
        {
            while (!queue.IsCompleted)
            {
                if (queue.TryTake(out var item, 50))
                {
                    write(item);
                }

                provider.Drain(this);
            }

            provider.Drain(this);
            task.GetAwaiter().GetResult();
            return true;
        }
        catch (Exception e) when (ToErrorRecord(e, target) is { } record)
        {
            WriteError(record);
            return false;
        }
        finally
        {
            // The pipeline is stopping (Ctrl+C, Select-Object -First) or failed: the work must end and clean up.
            cancel.Cancel();
            while (!task.IsCompleted)
            {
                queue.TryTake(out _, 50);
            }
        }
    }

    /// <summary>
    /// Null for failures that are not the engine's to report (pipeline stops, cancellation, PowerShell's own errors).
    /// Anything else gets a stable ErrorId and category, never a bare .NET exception type as its id.
    /// </summary>
    protected static ErrorRecord? ToErrorRecord(Exception e, object target) => e switch
    {
        ContainerEngineException c => new ErrorRecord(c, c.ErrorId, Category(c.Kind), target),
        NotSupportedException n => new ErrorRecord(n, "NotSupported", ErrorCategory.NotImplemented, target),
        TimeoutException t => new ErrorRecord(t, "EngineLockTimeout", ErrorCategory.OperationTimeout, target),
        OperationCanceledException or RuntimeException => null,
        FileNotFoundException or DirectoryNotFoundException => new ErrorRecord(e, "PathNotFound", ErrorCategory.ObjectNotFound, target),
        UnauthorizedAccessException => new ErrorRecord(e, "PermissionDenied", ErrorCategory.PermissionDenied, target),
        PSContainers.Native.SyscallException => new ErrorRecord(e, "SystemCallFailed", ErrorCategory.InvalidOperation, target),
        InvalidDataException or System.Text.Json.JsonException or FormatException => new ErrorRecord(e, "InvalidData", ErrorCategory.InvalidData, target),
        IOException => new ErrorRecord(e, "InputOutputError", ErrorCategory.ResourceUnavailable, target),
        System.Net.Http.HttpRequestException => new ErrorRecord(e, "ConnectionFailed", ErrorCategory.ConnectionError, target),
        ArgumentException => new ErrorRecord(e, "InvalidArgument", ErrorCategory.InvalidArgument, target),
        // A defect of ours: still a stable id, and the message keeps the exception's type for the bug report.
        _ => new ErrorRecord(new InvalidOperationException($"{e.GetType().Name}: {e.Message}", e), "UnexpectedError", ErrorCategory.NotSpecified, target),
    };

    private static ErrorCategory Category(ContainerErrorKind kind) => kind switch
    {
        ContainerErrorKind.NotFound => ErrorCategory.ObjectNotFound,
        ContainerErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        ContainerErrorKind.InvalidState => ErrorCategory.ResourceUnavailable,
        ContainerErrorKind.ResourceBusy => ErrorCategory.ResourceExists,
        ContainerErrorKind.Timeout => ErrorCategory.OperationTimeout,
        ContainerErrorKind.AuthenticationFailed => ErrorCategory.AuthenticationError,
        ContainerErrorKind.Unavailable => ErrorCategory.ConnectionError,
        ContainerErrorKind.InvalidData => ErrorCategory.InvalidData,
        _ => ErrorCategory.InvalidOperation,
    };

    /// <summary>Sets $LASTEXITCODE as a native command would, so `docker run`-style scripts keep working.</summary>
    protected void SetLastExitCode(int code) => SessionState.PSVariable.Set("global:LASTEXITCODE", code);
}
