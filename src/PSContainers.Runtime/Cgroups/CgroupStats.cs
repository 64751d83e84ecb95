namespace PSContainers.Runtime.Cgroups;

/// <summary>A snapshot of a cgroup's usage counters; counters the host does not expose read as zero.</summary>
public sealed record CgroupStats
{
    public ulong CpuUsageNanoseconds { get; init; }
    public ulong CpuUserNanoseconds { get; init; }
    public ulong CpuSystemNanoseconds { get; init; }
    public ulong MemoryUsage { get; init; }

    /// <summary>Null when the cgroup has no memory limit.</summary>
    public ulong? MemoryLimit { get; init; }

    public ulong MemoryMaxUsage { get; init; }
    public ulong MemoryCache { get; init; }
    public ulong PidsCurrent { get; init; }

    /// <summary>Null when the cgroup has no pids limit.</summary>
    public ulong? PidsLimit { get; init; }

    public ulong BlockIoReadBytes { get; init; }
    public ulong BlockIoWriteBytes { get; init; }
    public ulong BlockIoReadOperations { get; init; }
    public ulong BlockIoWriteOperations { get; init; }
    public ulong OomKillCount { get; init; }
}
