using PSContainers.Core.Build.Instructions;

namespace PSContainers.Core.Build.Parser;

/// <summary>One instruction line as the parser sees it: keyword, flags, arguments, heredocs; no meaning given yet.</summary>
public sealed record DockerfileNode
{
    /// <summary>The keyword in upper case.</summary>
    public required string Keyword { get; init; }

    /// <summary>The --flags before the arguments, as written ("--from=build").</summary>
    public required IReadOnlyList<string> Flags { get; init; }

    /// <summary>Everything after the keyword and flags, continuations joined, trimmed.</summary>
    public required string Arguments { get; init; }

    /// <summary>The logical line as written: keyword, flags and arguments (created_by's text).</summary>
    public required string Original { get; init; }

    public required int StartLine { get; init; }

    public required int EndLine { get; init; }

    public IReadOnlyList<Heredoc> Heredocs { get; init; } = [];

    /// <summary>The heredoc body lines as written, terminators included, one per line (empty without heredocs): what an ONBUILD trigger keeps so it can be parsed again.</summary>
    public string HeredocText { get; init; } = "";
}
