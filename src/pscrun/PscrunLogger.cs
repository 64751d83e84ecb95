using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace PSContainers.Pscrun;

/// <summary>Writes the runtime's log to the --log file in runc's json or text line format (podman reads it).</summary>
internal sealed class PscrunLogger : ILogger
{
    private readonly string? _path;
    private readonly bool _json;
    private readonly LogLevel _minimum;

    public PscrunLogger(string? path, string? format, bool debug)
    {
        _path = path;
        _json = format == "json";
        _minimum = debug ? LogLevel.Debug : LogLevel.Warning;
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= _minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var msg = formatter(state, exception);
        var level = logLevel switch
        {
            LogLevel.Trace or LogLevel.Debug => "debug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warning",
            _ => "error",
        };
        var time = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", System.Globalization.CultureInfo.InvariantCulture);
        string line;
        if (_json)
        {
            line = $"{{\"level\":\"{level}\",\"msg\":{JsonEncode(msg)},\"time\":\"{time}\"}}";
        }
        else
        {
            line = $"time=\"{time}\" level={level} msg={JsonEncode(msg)}";
        }

        if (_path is null)
        {
            Console.Error.WriteLine(line);
            return;
        }

        try
        {
            File.AppendAllText(_path, line + "\n");
        }
        catch (IOException)
        {
            Console.Error.WriteLine(line);
        }
    }

    private static string JsonEncode(string s)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStringValue(s);
        }

        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }
}
