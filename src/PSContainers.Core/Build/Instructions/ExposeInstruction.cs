namespace PSContainers.Core.Build.Instructions;

/// <summary>EXPOSE port[/proto] ...; unexpanded words.</summary>
public sealed record ExposeInstruction : Instruction
{
    public override string Keyword => "EXPOSE";

    public required IReadOnlyList<string> Ports { get; init; }
}
