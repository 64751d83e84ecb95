namespace PSContainers.Core.Build.Instructions;

/// <summary>ONBUILD INSTRUCTION: the nested text is stored in the image config and run when the image is a base; the nested instruction is parsed for errors but never expanded here.</summary>
public sealed record OnBuildInstruction : Instruction
{
    public override string Keyword => "ONBUILD";

    /// <summary>The trigger text as docker stores it in config.OnBuild: the line after ONBUILD, as written.</summary>
    public required string Expression { get; init; }

    /// <summary>The nested instruction, parsed.</summary>
    public required Instruction Trigger { get; init; }
}
