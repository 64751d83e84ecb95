namespace PSContainers.Core.Build.Instructions;

/// <summary>VOLUME ["/a", "/b"] or VOLUME /a /b.</summary>
public sealed record VolumeInstruction : Instruction
{
    public override string Keyword => "VOLUME";

    public required IReadOnlyList<string> Paths { get; init; }
}
