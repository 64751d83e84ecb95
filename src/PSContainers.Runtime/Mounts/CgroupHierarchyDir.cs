namespace PSContainers.Runtime.Mounts;

/// <summary>One cgroup hierarchy as the container sees it: its name under /sys/fs/cgroup and the host directory.</summary>
internal sealed record CgroupHierarchyDir(string Name, string ContainerDir);
