namespace PSContainers.Core.Build.Instructions;

/// <summary>STOPSIGNAL signal (a name such as SIGTERM or a number); unexpanded.</summary>
public sealed record StopSignalInstruction : Instruction
{
    public override string Keyword => "STOPSIGNAL";

    public required string Signal { get; init; }
}
