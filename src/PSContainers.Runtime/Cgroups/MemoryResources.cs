namespace PSContainers.Runtime.Cgroups;

/// <summary>Memory limits in bytes, with OCI semantics: -1 means unlimited and Swap is memory plus swap.</summary>
public sealed record MemoryResources
{
    public long? Limit { get; init; }
    public long? Reservation { get; init; }

    /// <summary>Memory plus swap (OCI `memory.swap`), not swap alone.</summary>
    public long? Swap { get; init; }

    public bool? DisableOomKiller { get; init; }

    /// <summary>memory.swappiness, 0-100 (v1 only: v2 has no per-cgroup swappiness).</summary>
    public ulong? Swappiness { get; init; }
}
