namespace PSContainers.Runtime.Cgroups;

// A mounted hierarchy: where it is mounted, which cgroup its mount shows as "/", and what
// it controls (v1 controller names or "name=x"; empty for v2, which lists its own).
internal sealed record CgroupHierarchy(string MountPoint, string MountRoot, IReadOnlyList<string> Controllers)
{
    public bool Has(string controller) => Controllers.Contains(controller, StringComparer.Ordinal);
}
