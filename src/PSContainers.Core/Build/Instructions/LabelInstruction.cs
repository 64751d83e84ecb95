namespace PSContainers.Core.Build.Instructions;

/// <summary>LABEL k=v ...; pairs in order.</summary>
public sealed record LabelInstruction : Instruction
{
    public override string Keyword => "LABEL";

    public required IReadOnlyList<KeyValue> Pairs { get; init; }
}
