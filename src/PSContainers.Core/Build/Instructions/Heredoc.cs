namespace PSContainers.Core.Build.Instructions;

/// <summary>A here-document: its delimiter, its body (tabs already stripped for &lt;&lt;-), and whether the body expands.</summary>
public sealed record Heredoc
{
    public required string Name { get; init; }

    /// <summary>The body, each line ending in a newline, as the builder writes it.</summary>
    public required string Content { get; init; }

    /// <summary>False for a quoted delimiter (&lt;&lt;"EOF" or &lt;&lt;'EOF'): the body is taken literally.</summary>
    public bool Expand { get; init; } = true;

    /// <summary>True for &lt;&lt;-: leading tabs were stripped from each line.</summary>
    public bool Chomp { get; init; }

    /// <summary>The file descriptor written before &lt;&lt; (3&lt;&lt;EOF), 0 when none.</summary>
    public int FileDescriptor { get; init; }
}
