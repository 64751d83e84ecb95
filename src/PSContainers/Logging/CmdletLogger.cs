using Microsoft.Extensions.Logging;

namespace PSContainers.Logging;

/// <summary>An ILogger that formats on the calling thread and queues the message for the cmdlet's pipeline thread.</summary>
public sealed class CmdletLogger : ILogger
{
    private readonly CmdletLoggerProvider _provider;
    private readonly string _category;

    internal CmdletLogger(CmdletLoggerProvider provider, string category)
    {
        _provider = provider;
        _category = category;
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= _provider.MinimumLevel;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        _provider.Enqueue(new CmdletLogEntry(logLevel, _category, formatter(state, exception), exception));
    }
}
