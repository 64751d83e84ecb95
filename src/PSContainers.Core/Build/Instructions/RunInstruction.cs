namespace PSContainers.Core.Build.Instructions;

/// <summary>RUN in shell form (one string run by the stage's SHELL) or exec form; its command is never expanded by the builder (the shell does that), its --mount values are.</summary>
public sealed record RunInstruction : Instruction
{
    public override string Keyword => "RUN";

    /// <summary>Shell form: one element, the script; exec form: the argv.</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>True for shell form: run as SHELL + Command[0].</summary>
    public required bool PrependShell { get; init; }

    /// <summary>The --mount options; StageVariables.Expand returns them with every value expanded, as BuildKit expands them.</summary>
    public IReadOnlyList<RunMount> Mounts { get; init; } = [];

    /// <summary>The --mount values as written, which Expand parses again with the variables in effect.</summary>
    public IReadOnlyList<string> MountSpecs { get; init; } = [];

    public RunNetwork Network { get; init; } = RunNetwork.Default;

    /// <summary>Heredocs in the order they appear; with shell form a heredoc on the command line is the script's stdin (or the script itself when the command is only &lt;&lt;EOF), as BuildKit runs them.</summary>
    public IReadOnlyList<Heredoc> Heredocs { get; init; } = [];
}
