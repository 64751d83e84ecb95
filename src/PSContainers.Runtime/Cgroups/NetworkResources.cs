namespace PSContainers.Runtime.Cgroups;

/// <summary>The net_cls class id and net_prio priorities of a cgroup (v1 only: v2 has neither controller).</summary>
public sealed record NetworkResources
{
    public uint? ClassId { get; init; }

    public IReadOnlyList<InterfacePriority>? Priorities { get; init; }
}
