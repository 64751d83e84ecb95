namespace PSContainers.Runtime.Cgroups;

/// <summary>The freezer state of a cgroup; Undefined when the host has no freezer for it.</summary>
public enum CgroupFreezerState
{
    Undefined,
    Thawed,
    Freezing,
    Frozen,
}
