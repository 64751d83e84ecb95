namespace PSContainers.Runtime.Cgroups;

/// <summary>A hugetlb limit in bytes for one huge page size, named as the cgroup files name it ("2MB", "1GB").</summary>
public sealed record HugepageLimit(string PageSize, ulong Limit);
