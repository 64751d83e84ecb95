namespace PSContainers.Runtime.Cgroups;

/// <summary>One hierarchy's directory of a cgroup: Name is the mount point's last component ("memory", "cpu,cpuacct"), empty for a unified host.</summary>
public sealed record CgroupHierarchyDirectory(string Name, string Directory, bool Unified);
