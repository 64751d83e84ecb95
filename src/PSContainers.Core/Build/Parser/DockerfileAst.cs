namespace PSContainers.Core.Build.Parser;

/// <summary>The parser's output: directives and the instruction nodes in order.</summary>
public sealed record DockerfileAst
{
    public required string FileName { get; init; }

    public char EscapeToken { get; init; } = '\\';

    public string? Syntax { get; init; }

    public required IReadOnlyList<DockerfileNode> Nodes { get; init; }
}
