namespace PSContainers.Runtime.Container;

/// <summary>The options of `create` (and `run`) beyond the bundle.</summary>
public sealed record CreateOptions
{
    public string? PidFile { get; init; }
    public string? ConsoleSocket { get; init; }
    public int PreserveFds { get; init; }
    public bool NoPivot { get; init; }
    public bool NoNewKeyring { get; init; }
}
