namespace PSContainers.Core.Build.Instructions;

/// <summary>USER user[:group].</summary>
public sealed record UserInstruction : Instruction
{
    public override string Keyword => "USER";

    public required string User { get; init; }
}
