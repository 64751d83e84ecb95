namespace PSContainers.Core.Build.Instructions;

/// <summary>MAINTAINER name (deprecated): sets the image's author.</summary>
public sealed record MaintainerInstruction : Instruction
{
    public override string Keyword => "MAINTAINER";

    public required string Author { get; init; }
}
