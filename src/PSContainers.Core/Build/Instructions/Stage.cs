namespace PSContainers.Core.Build.Instructions;

/// <summary>One build stage: its FROM and the instructions after it, up to the next FROM.</summary>
public sealed record Stage
{
    /// <summary>0-based position; COPY --from=0 refers to it.</summary>
    public required int Index { get; init; }

    /// <summary>The AS name in lower case, or null.</summary>
    public string? Name => From.StageName;

    public required FromInstruction From { get; init; }

    public required IReadOnlyList<Instruction> Instructions { get; init; }
}
