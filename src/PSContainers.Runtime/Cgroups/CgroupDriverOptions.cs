using Microsoft.Extensions.Logging;

namespace PSContainers.Runtime.Cgroups;

/// <summary>How CgroupManagerFactory finds the hierarchies; the defaults read the live system.</summary>
public sealed record CgroupDriverOptions
{
    /// <summary>
    /// A directory to use instead of the mounted cgroupfs (tests): for v2 it is the unified root,
    /// for v1 each subdirectory is a hierarchy named by its controllers, e.g. "cpu,cpuacct".
    /// </summary>
    public string? Root { get; init; }

    /// <summary>Forces a layout instead of detecting it.</summary>
    public CgroupVersion? Version { get; init; }

    public ILogger? Logger { get; init; }

    public string MountInfoPath { get; init; } = "/proc/self/mountinfo";

    /// <summary>The caller's cgroup membership; relative cgroupsPaths are placed under it.</summary>
    public string ProcSelfCgroupPath { get; init; } = "/proc/self/cgroup";

    /// <summary>How long Freeze and Thaw wait for the kernel to report the new state.</summary>
    public TimeSpan FreezeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long Remove retries while the kernel still reports the cgroup busy.</summary>
    public TimeSpan RemoveTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
