namespace PSContainers.Runtime.Mounts;

/// <summary>Where the calling process's cgroups live on the host, per hierarchy, from /proc/self/{mountinfo,cgroup}.</summary>
internal sealed class CgroupMountInfo
{
    public bool Unified { get; private init; }

    public List<CgroupHierarchyDir> Hierarchies { get; } = new();

    public static CgroupMountInfo ForSelf() =>
        Parse(File.ReadAllLines("/proc/self/mountinfo"), File.ReadAllLines("/proc/self/cgroup"));

    public static CgroupMountInfo Parse(IEnumerable<string> mountinfo, IEnumerable<string> cgroupFile)
    {
        var membership = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in cgroupFile)
        {
            var parts = line.Split(':', 3);
            if (parts.Length == 3)
            {
                membership[parts[1]] = parts[2];
            }
        }

        var v1 = new List<CgroupHierarchyDir>();
        CgroupHierarchyDir? v2 = null;
        foreach (var line in mountinfo)
        {
            var sep = line.IndexOf(" - ", StringComparison.Ordinal);
            if (sep < 0)
            {
                continue;
            }

            var left = line[..sep].Split(' ');
            var right = line[(sep + 3)..].Split(' ');
            if (left.Length < 5 || right.Length < 3)
            {
                continue;
            }

            var root = Unescape(left[3]);
            var mountPoint = Unescape(left[4]);
            if (right[0] == "cgroup2" && membership.TryGetValue("", out var p2))
            {
                v2 = new CgroupHierarchyDir(Path.GetFileName(mountPoint), Join(mountPoint, root, p2));
            }
            else if (right[0] == "cgroup")
            {
                var controllers = right[2].Split(',').Where(o => o != "rw" && o != "ro" && !o.StartsWith("relatime", StringComparison.Ordinal)).ToList();
                var key = membership.Keys.FirstOrDefault(k => k.Length > 0 && SameSet(k.Split(','), controllers));
                if (key is not null)
                {
                    v1.Add(new CgroupHierarchyDir(Path.GetFileName(mountPoint), Join(mountPoint, root, membership[key])));
                }
            }
        }

        if (v1.Count == 0 && v2 is not null)
        {
            var result = new CgroupMountInfo { Unified = true };
            result.Hierarchies.Add(v2);
            return result;
        }

        var legacy = new CgroupMountInfo { Unified = false };
        legacy.Hierarchies.AddRange(v1);
        return legacy;
    }

    private static bool SameSet(IEnumerable<string> a, List<string> b)
    {
        var set = new HashSet<string>(a, StringComparer.Ordinal);
        return b.Count(set.Contains) == set.Count;
    }

    private static string Join(string mountPoint, string mountRoot, string cgroupPath)
    {
        var rel = cgroupPath;
        if (mountRoot != "/" && rel.StartsWith(mountRoot, StringComparison.Ordinal))
        {
            rel = rel[mountRoot.Length..];
        }

        return mountPoint.TrimEnd('/') + "/" + rel.TrimStart('/');
    }

    private static string Unescape(string s) => s.Replace("\\040", " ").Replace("\\011", "\t").Replace("\\012", "\n").Replace("\\134", "\\");
}
