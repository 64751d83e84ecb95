namespace PSContainers.Core.Build.Instructions;

/// <summary>ARG name[=default] ...: several per line allowed, as BuildKit allows.</summary>
public sealed record ArgInstruction : Instruction
{
    public override string Keyword => "ARG";

    public required IReadOnlyList<ArgDeclaration> Args { get; init; }
}
