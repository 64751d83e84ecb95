namespace PSContainers.Runtime.Container;

/// <summary>The options of `create` (and `run`) beyond the bundle.</summary>
public sealed record CreateOptions
{
    public string? PidFile { get; init; }
    public string? ConsoleSocket { get; init; }

    /// <summary>A connected console socket to use instead of connecting to ConsoleSocket (the caller keeps it open); -1 for none.</summary>
    public int ConsoleSocketFd { get; init; } = -1;
    public int PreserveFds { get; init; }
    public bool NoPivot { get; init; }
    public bool NoNewKeyring { get; init; }
}
