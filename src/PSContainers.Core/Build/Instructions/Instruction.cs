namespace PSContainers.Core.Build.Instructions;

/// <summary>One Dockerfile instruction as written: the typed record keeps its original text (history's created_by) and where it stood.</summary>
public abstract record Instruction
{
    /// <summary>The keyword in upper case (RUN, COPY, ...).</summary>
    public abstract string Keyword { get; }

    /// <summary>The instruction's text as written, continuations joined and heredoc bodies left out (what docker puts in created_by).</summary>
    public required string Original { get; init; }

    /// <summary>1-based line of the keyword.</summary>
    public required int Line { get; init; }

    /// <summary>1-based last line, heredoc bodies included.</summary>
    public required int EndLine { get; init; }
}
