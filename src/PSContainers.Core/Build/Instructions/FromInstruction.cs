namespace PSContainers.Core.Build.Instructions;

/// <summary>FROM [--platform=P] IMAGE [AS NAME]; Image and Platform are unexpanded (global ARGs expand them).</summary>
public sealed record FromInstruction : Instruction
{
    public override string Keyword => "FROM";

    public required string Image { get; init; }

    /// <summary>The stage name in lower case, as docker compares stage names case-insensitively; null without AS.</summary>
    public string? StageName { get; init; }

    public string? Platform { get; init; }
}
