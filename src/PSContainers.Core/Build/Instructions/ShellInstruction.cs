namespace PSContainers.Core.Build.Instructions;

/// <summary>SHELL ["exe", "args"...]: JSON form only, as docker requires.</summary>
public sealed record ShellInstruction : Instruction
{
    public override string Keyword => "SHELL";

    public required IReadOnlyList<string> Shell { get; init; }
}
