using Microsoft.Extensions.Logging;

namespace PSContainers.Logging;

/// <summary>One queued log message waiting for the pipeline thread.</summary>
public sealed record CmdletLogEntry(LogLevel Level, string Category, string Message, Exception? Exception);
