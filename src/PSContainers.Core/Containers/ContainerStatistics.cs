namespace PSContainers.Core.Containers;

/// <summary>A container's resource use from its cgroup (docker stats); sizes in bytes.</summary>
public sealed class ContainerStatistics
{
    public string Id { get; init; } = "";

    public string Name { get; init; } = "";

    public DateTimeOffset Time { get; init; }

    /// <summary>CPU use over the sample as a percentage of one CPU (200 = two CPUs busy), as docker stats shows it.</summary>
    public double CpuPercent { get; init; }

    public ulong CpuTotalNanoseconds { get; init; }

    public ulong MemoryUsage { get; init; }

    /// <summary>The cgroup's memory limit, or the host's memory when there is none.</summary>
    public ulong MemoryLimit { get; init; }

    public double MemoryPercent => MemoryLimit == 0 ? 0 : 100.0 * MemoryUsage / MemoryLimit;

    public ulong PidsCurrent { get; init; }

    public ulong? PidsLimit { get; init; }

    public ulong BlockReadBytes { get; init; }

    public ulong BlockWriteBytes { get; init; }

    public ulong OomKills { get; init; }
}
