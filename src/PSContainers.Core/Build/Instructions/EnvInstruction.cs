namespace PSContainers.Core.Build.Instructions;

/// <summary>ENV k=v ... or ENV k v (the legacy one-pair form); pairs in order, each value expanded with the environment as it was before this instruction.</summary>
public sealed record EnvInstruction : Instruction
{
    public override string Keyword => "ENV";

    public required IReadOnlyList<KeyValue> Pairs { get; init; }
}
