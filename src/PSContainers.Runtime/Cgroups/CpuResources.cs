namespace PSContainers.Runtime.Cgroups;

/// <summary>CPU limits: relative shares, CFS quota and period in microseconds, and the cpuset.</summary>
public sealed record CpuResources
{
    public ulong? Shares { get; init; }

    /// <summary>CFS quota in microseconds per period; zero or negative means unlimited.</summary>
    public long? Quota { get; init; }

    public ulong? Period { get; init; }

    /// <summary>CFS burst in microseconds above the quota a period may borrow.</summary>
    public ulong? Burst { get; init; }

    /// <summary>Realtime budget in microseconds per RealtimePeriod (v1 with RT group scheduling only).</summary>
    public long? RealtimeRuntime { get; init; }

    public ulong? RealtimePeriod { get; init; }

    /// <summary>1 puts the group's tasks in SCHED_IDLE as a whole (cpu.idle), 0 takes them out.</summary>
    public long? Idle { get; init; }

    /// <summary>cpuset list such as "0-2,4".</summary>
    public string? Cpus { get; init; }

    /// <summary>Memory nodes list such as "0".</summary>
    public string? Mems { get; init; }
}
