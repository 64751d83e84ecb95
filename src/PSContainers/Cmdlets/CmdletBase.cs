using System.Management.Automation;
using Microsoft.Extensions.Logging;
using PSContainers.Logging;

namespace PSContainers.Cmdlets;

/// <summary>A cmdlet whose engine work runs on a worker thread with its log shown in the Verbose, Debug and Warning streams.</summary>
public abstract class CmdletBase : PSCmdlet, ICmdletStreamWriter, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Cancelled when the user presses Ctrl+C.</summary>
    protected CancellationToken StopToken => _stopping.Token;

    /// <summary>
    /// Runs work off the pipeline thread and writes its log messages as they come; Ctrl+C
    /// cancels the token the work gets. Exceptions from the work come back unchanged.
    /// </summary>
    protected T RunWithLogging<T>(Func<ILogger, CancellationToken, T> work) => RunWithLogging(work, null);

    /// <summary>As <see cref="RunWithLogging{T}(Func{ILogger, CancellationToken, T})"/>; onDrain runs on the pipeline thread between drains.</summary>
    protected T RunWithLogging<T>(Func<ILogger, CancellationToken, T> work, Action? onDrain)
    {
        using var provider = new CmdletLoggerProvider
        {
            // Trace is only worth formatting when someone asked for the Debug stream.
            MinimumLevel = MyInvocation.BoundParameters.ContainsKey("Debug") ? LogLevel.Trace : LogLevel.Debug,
        };
        return LoggedWork.Run(provider, this, GetType().Name, work, _stopping.Token, onDrain: onDrain);
    }

    protected override void StopProcessing() => _stopping.Cancel();

    public void Dispose()
    {
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }
}
