namespace PSContainers.Core.Api;

/// <summary>The Docker Engine API service of one run root: where it listens, its process, and whether it still runs.</summary>
public sealed class ApiServiceInfo
{
    public int Pid { get; init; }

    public bool Running { get; init; }

    public string Socket { get; init; } = "";

    /// <summary>The TCP endpoint it also listens on; null for none.</summary>
    public string? Tcp { get; init; }

    /// <summary>unix:///path, for DOCKER_HOST.</summary>
    public string DockerHost => "unix://" + Socket;

    public DateTimeOffset StartedAt { get; init; }

    /// <summary>The Docker Engine API version it serves.</summary>
    public string ApiVersion { get; init; } = "";

    public string Executable { get; init; } = "";

    public string LogFile { get; init; } = "";

    /// <summary>The engine state it serves (PSCONTAINERS_ROOT and PSCONTAINERS_RUNROOT).</summary>
    public string Root { get; init; } = "";

    public string RunRoot { get; init; } = "";

    public override string ToString() => DockerHost;
}
