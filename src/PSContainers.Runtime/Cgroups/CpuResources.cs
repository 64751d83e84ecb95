namespace PSContainers.Runtime.Cgroups;

/// <summary>CPU limits: relative shares, CFS quota and period in microseconds, and the cpuset.</summary>
public sealed record CpuResources
{
    public ulong? Shares { get; init; }

    /// <summary>CFS quota in microseconds per period; zero or negative means unlimited.</summary>
    public long? Quota { get; init; }

    public ulong? Period { get; init; }

    /// <summary>cpuset list such as "0-2,4".</summary>
    public string? Cpus { get; init; }

    /// <summary>Memory nodes list such as "0".</summary>
    public string? Mems { get; init; }
}
