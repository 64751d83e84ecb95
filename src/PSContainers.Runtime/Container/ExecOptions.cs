namespace PSContainers.Runtime.Container;

/// <summary>The options of `exec` beyond the process itself.</summary>
public sealed record ExecOptions
{
    public string? PidFile { get; init; }
    public string? ConsoleSocket { get; init; }
    public int PreserveFds { get; init; }
    public bool Detach { get; init; }
}
