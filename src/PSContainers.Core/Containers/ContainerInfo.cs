namespace PSContainers.Core.Containers;

/// <summary>One container as users see it: identity, state and the configuration it was created with.</summary>
public sealed class ContainerInfo
{
    public string Id { get; init; } = "";

    public string ShortId => Id.Length > 12 ? Id[..12] : Id;

    public string Name { get; init; } = "";

    public string RootFs { get; init; } = "";

    /// <summary>The image reference the container was created from; null for -RootFs containers.</summary>
    public string? Image { get; init; }

    /// <summary>The image's id (config digest).</summary>
    public string? ImageId { get; init; }

    public IReadOnlyList<string> Command { get; init; } = [];

    public ContainerStatus Status { get; init; }

    /// <summary>Host pid of the container's init; 0 unless it runs.</summary>
    public int Pid { get; init; }

    /// <summary>Null while it has not exited, or when the exit code was lost (its monitor died).</summary>
    public int? ExitCode { get; init; }

    public bool OomKilled { get; init; }

    public DateTimeOffset Created { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public int RestartCount { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Why the container is not running as asked (a failed start, a monitor that died); null when all is well.</summary>
    public string? Error { get; init; }

    public ContainerCreateRequest Config { get; init; } = new();

    /// <summary>Volumes, binds and tmpfs mounts, as docker inspect's Mounts.</summary>
    public IReadOnlyList<Volumes.ContainerMount> Mounts => Config.MountPoints ?? [];

    /// <summary>The networks it is attached to while it runs: address, gateway, MAC per network.</summary>
    public IReadOnlyList<Network.ContainerNetworkEndpoint> Networks { get; init; } = [];

    /// <summary>Its published ports while it runs (docker port).</summary>
    public IReadOnlyList<Network.ContainerPortMapping> Ports { get; init; } = [];

    /// <summary>The health check's state (docker's State.Health: Status, FailingStreak, Log); null when the container has no health check.</summary>
    public Runtime.Health.HealthState? Health { get; init; }

    /// <summary>starting, healthy or unhealthy; null without a health check.</summary>
    public string? HealthStatus => Health?.Status;

    /// <summary>docker ps style: "Up 5 minutes", "Exited (0) 3 seconds ago", "Created".</summary>
    public string StatusText => Describe(DateTimeOffset.UtcNow);

    public string Describe(DateTimeOffset now) => Status switch
    {
        ContainerStatus.Running => "Up " + Ago(now - (StartedAt ?? Created)) + Health?.Status switch
        {
            null => "",
            Runtime.Health.HealthState.Starting => " (health: starting)",
            var h => $" ({h})",
        },
        ContainerStatus.Paused => "Up " + Ago(now - (StartedAt ?? Created)) + " (Paused)",
        ContainerStatus.Exited => $"Exited ({(ExitCode is { } c ? c.ToString(System.Globalization.CultureInfo.InvariantCulture) : "unknown")}) {Ago(now - (FinishedAt ?? Created))} ago",
        _ => "Created",
    };

    private static string Ago(TimeSpan span) => span.TotalSeconds switch
    {
        < 1 => "less than a second",
        < 60 => $"{(int)span.TotalSeconds} seconds",
        < 3600 => $"{(int)span.TotalMinutes} minutes",
        < 172800 => $"{(int)span.TotalHours} hours",
        _ => $"{(int)span.TotalDays} days",
    };

    /// <summary>
    /// The last view of a -Remove container that its monitor removed as it exited (after a stop or kill): exited,
    /// with no process, address or ports left; the exit code is not known here.
    /// </summary>
    public ContainerInfo AsRemovedOnExit(DateTimeOffset finishedAt) => new()
    {
        Id = Id, Name = Name, RootFs = RootFs, Image = Image, ImageId = ImageId, Command = Command, Status = ContainerStatus.Exited,
        Created = Created, StartedAt = StartedAt, FinishedAt = finishedAt, RestartCount = RestartCount, Labels = Labels, Config = Config,
    };

    public override string ToString() => Name;
}
