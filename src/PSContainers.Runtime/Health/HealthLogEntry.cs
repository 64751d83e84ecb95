namespace PSContainers.Runtime.Health;

/// <summary>One run of a container's health check, as docker's State.Health.Log holds it.</summary>
public sealed record HealthLogEntry
{
    public DateTimeOffset Start { get; init; }

    public DateTimeOffset End { get; init; }

    /// <summary>0 healthy, 1 unhealthy; -1 when the check timed out or could not run.</summary>
    public int ExitCode { get; init; }

    /// <summary>What the check wrote, cut at <see cref="HealthState.MaxOutputLength"/> bytes as docker does.</summary>
    public string Output { get; init; } = "";
}
