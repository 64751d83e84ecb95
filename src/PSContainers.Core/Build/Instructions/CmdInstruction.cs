namespace PSContainers.Core.Build.Instructions;

/// <summary>CMD in exec form or shell form (then run through the stage's SHELL); not expanded.</summary>
public sealed record CmdInstruction : Instruction
{
    public override string Keyword => "CMD";

    public required IReadOnlyList<string> Command { get; init; }

    public required bool PrependShell { get; init; }
}
