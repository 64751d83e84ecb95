namespace PSContainers.Core.Build.Instructions;

/// <summary>What COPY and ADD share: sources, a destination and the options that shape the files written.</summary>
public abstract record FileCopyInstruction : Instruction
{
    /// <summary>Unexpanded sources: context paths and globs, URLs (ADD), or heredoc names (see Heredocs).</summary>
    public required IReadOnlyList<string> Sources { get; init; }

    public required string Destination { get; init; }

    /// <summary>--chown=user[:group], unexpanded; null when not given.</summary>
    public string? Chown { get; init; }

    /// <summary>--chmod=octal (or symbolic), unexpanded; null when not given.</summary>
    public string? Chmod { get; init; }

    public bool Link { get; init; }

    /// <summary>--exclude patterns (several flags allowed).</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>Heredoc sources (COPY &lt;&lt;EOF /path): each one is a file named after its delimiter.</summary>
    public IReadOnlyList<Heredoc> Heredocs { get; init; } = [];

    /// <summary>True when the sources and destination came from the JSON form (no word splitting happened).</summary>
    public bool JsonForm { get; init; }
}
