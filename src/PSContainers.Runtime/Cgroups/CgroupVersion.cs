namespace PSContainers.Runtime.Cgroups;

/// <summary>The cgroup layout a manager drives: V1 covers legacy and hybrid hosts, V2 the unified hierarchy.</summary>
public enum CgroupVersion
{
    V1 = 1,
    V2 = 2,
}
