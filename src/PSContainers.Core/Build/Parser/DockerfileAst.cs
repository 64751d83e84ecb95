namespace PSContainers.Core.Build.Parser;

/// <summary>The parser's output: directives and the instruction nodes in order.</summary>
public sealed record DockerfileAst
{
    public required string FileName { get; init; }

    public char EscapeToken { get; init; } = '\\';

    public string? Syntax { get; init; }

    public required IReadOnlyList<DockerfileNode> Nodes { get; init; }

    /// <summary>What BuildKit warns about but accepts ("file:line: empty continuation line"), for the build's output.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
