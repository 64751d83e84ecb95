namespace PSContainers.Core.Build.Instructions;

/// <summary>ENTRYPOINT in exec form or shell form (then run through the stage's SHELL); not expanded.</summary>
public sealed record EntrypointInstruction : Instruction
{
    public override string Keyword => "ENTRYPOINT";

    public required IReadOnlyList<string> Command { get; init; }

    public required bool PrependShell { get; init; }
}
