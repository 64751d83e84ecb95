namespace PSContainers.Core.Build.Instructions;

/// <summary>WORKDIR path: relative to the previous one, created if missing.</summary>
public sealed record WorkdirInstruction : Instruction
{
    public override string Keyword => "WORKDIR";

    public required string Path { get; init; }
}
