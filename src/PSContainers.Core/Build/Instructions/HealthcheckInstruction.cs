namespace PSContainers.Core.Build.Instructions;

/// <summary>HEALTHCHECK NONE or HEALTHCHECK [options] CMD ...; Test as docker stores it (["NONE"], ["CMD", argv...] or ["CMD-SHELL", script]).</summary>
public sealed record HealthcheckInstruction : Instruction
{
    public override string Keyword => "HEALTHCHECK";

    public required IReadOnlyList<string> Test { get; init; }

    /// <summary>Null when not given (docker stores 0 and uses its default).</summary>
    public TimeSpan? Interval { get; init; }

    public TimeSpan? Timeout { get; init; }

    public TimeSpan? StartPeriod { get; init; }

    public TimeSpan? StartInterval { get; init; }

    public int? Retries { get; init; }
}
