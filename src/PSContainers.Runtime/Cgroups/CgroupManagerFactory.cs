using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace PSContainers.Runtime.Cgroups;

/// <summary>Detects the host's cgroup layout and returns the manager for one cgroupsPath.</summary>
public static class CgroupManagerFactory
{
    private const string DefaultMount = "/sys/fs/cgroup";

    private static readonly HashSet<string> s_v1Controllers = new(StringComparer.Ordinal)
    {
        "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "net_cls", "net_prio",
        "blkio", "perf_event", "hugetlb", "pids", "rdma", "misc", "debug",
    };

    /// <summary>
    /// Absolute cgroupsPaths are placed at that path in every hierarchy; relative ones under
    /// the caller's own cgroup, as runc does.
    /// </summary>
    public static ICgroupManager Create(string cgroupsPath, CgroupDriverOptions? options = null)
    {
        options ??= new CgroupDriverOptions();
        ILogger logger = options.Logger ?? NullLogger.Instance;
        ValidatePath(cgroupsPath);

        CgroupVersion version;
        List<CgroupHierarchy> hierarchies;
        if (options.Root is string root)
        {
            version = options.Version ?? (File.Exists(Path.Join(root, "cgroup.controllers")) ? CgroupVersion.V2 : CgroupVersion.V1);
            hierarchies = version == CgroupVersion.V2 ? [new CgroupHierarchy(root, "/", [])] : ScanV1Root(root);
        }
        else
        {
            List<MountInfoEntry> mounts = ReadMountInfo(options.MountInfoPath);
            version = options.Version ?? Detect(mounts);
            hierarchies = version == CgroupVersion.V2 ? [FindV2(mounts)] : FindV1(mounts);
        }

        if (hierarchies.Count == 0)
        {
            throw new CgroupException($"No cgroup {version} hierarchy is mounted on this host.");
        }

        Dictionary<string, string>? own = cgroupsPath.StartsWith('/') ? null : ReadOwnCgroups(options.ProcSelfCgroupPath);
        if (version == CgroupVersion.V2)
        {
            CgroupHierarchy h = hierarchies[0];
            string dir = Resolve(h, cgroupsPath, own?.GetValueOrDefault(string.Empty));
            return new CgroupV2Manager(cgroupsPath, h.MountPoint, dir, options, logger);
        }

        var directories = hierarchies
            .Select(h => (h, Resolve(h, cgroupsPath, own is null ? null : OwnPathFor(h, own))))
            .ToList();
        return new CgroupV1Manager(cgroupsPath, directories, options, logger);
    }

    private static void ValidatePath(string cgroupsPath)
    {
        if (string.IsNullOrWhiteSpace(cgroupsPath) || cgroupsPath.Contains('\0'))
        {
            throw new CgroupException("The cgroupsPath is empty; give a path such as /pscontainers/<id>.");
        }

        if (cgroupsPath.Split('/').Any(s => s == ".."))
        {
            throw new CgroupException($"The cgroupsPath '{cgroupsPath}' contains '..'; it must stay inside the cgroup hierarchy.");
        }
    }

    private static List<MountInfoEntry> ReadMountInfo(string path)
    {
        try
        {
            return MountInfoEntry.Parse(File.ReadAllText(path));
        }
        catch (IOException e)
        {
            throw new CgroupException($"Cannot read {path} to find the cgroup hierarchies: {e.Message}", e);
        }
    }

    private static Dictionary<string, string> ReadOwnCgroups(string path)
    {
        try
        {
            return ProcCgroupFile.Parse(File.ReadAllText(path));
        }
        catch (IOException e)
        {
            throw new CgroupException($"Cannot read {path} to place a relative cgroupsPath: {e.Message}", e);
        }
    }

    internal static CgroupVersion Detect(IReadOnlyList<MountInfoEntry> mounts)
    {
        long? magic = CgroupNative.FileSystemType(DefaultMount);
        if (magic == CgroupNative.Cgroup2SuperMagic)
        {
            return CgroupVersion.V2;
        }

        // tmpfs (hybrid/legacy) or no /sys/fs/cgroup at all: trust what is mounted anywhere.
        if (FindV1(mounts).Count > 0)
        {
            return CgroupVersion.V1;
        }

        if (mounts.Any(m => m.FileSystemType == "cgroup2"))
        {
            return CgroupVersion.V2;
        }

        throw new CgroupException("No cgroup filesystem is mounted on this host (checked /sys/fs/cgroup and /proc/self/mountinfo).");
    }

    internal static CgroupHierarchy FindV2(IReadOnlyList<MountInfoEntry> mounts)
    {
        MountInfoEntry? m = mounts.FirstOrDefault(m => m.FileSystemType == "cgroup2" && m.MountPoint == DefaultMount)
            ?? mounts.FirstOrDefault(m => m.FileSystemType == "cgroup2")
            ?? throw new CgroupException("No cgroup2 filesystem is mounted on this host.");
        return new CgroupHierarchy(m.MountPoint, m.Root, []);
    }

    /// <summary>Every v1 hierarchy once; bind mounts of the same hierarchy after the first are ignored.</summary>
    internal static List<CgroupHierarchy> FindV1(IReadOnlyList<MountInfoEntry> mounts)
    {
        var found = new List<CgroupHierarchy>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (MountInfoEntry m in mounts.Where(m => m.FileSystemType == "cgroup"))
        {
            var controllers = m.SuperOptions.Where(o => s_v1Controllers.Contains(o) || o.StartsWith("name=", StringComparison.Ordinal)).ToList();
            if (controllers.Count > 0 && seen.Add(string.Join(',', controllers.Order(StringComparer.Ordinal))))
            {
                found.Add(new CgroupHierarchy(m.MountPoint, m.Root, controllers));
            }
        }

        return found;
    }

    // A fake v1 root: each real (non-symlink) subdirectory is a hierarchy named like the
    // kernel names a combined mount ("cpu,cpuacct"); a non-controller name is a named one.
    private static List<CgroupHierarchy> ScanV1Root(string root)
    {
        var found = new List<CgroupHierarchy>();
        foreach (string dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(dir);
            if (name == "unified" || new DirectoryInfo(dir).LinkTarget is not null)
            {
                continue;
            }

            var controllers = name.Split(',').Select(c => s_v1Controllers.Contains(c) || c.StartsWith("name=", StringComparison.Ordinal) ? c : "name=" + c).ToList();
            found.Add(new CgroupHierarchy(dir, "/", controllers));
        }

        return found;
    }

    private static string? OwnPathFor(CgroupHierarchy h, Dictionary<string, string> own)
    {
        foreach (string c in h.Controllers)
        {
            if (own.TryGetValue(c, out string? p))
            {
                return p;
            }
        }

        return null;
    }

    internal static string Resolve(CgroupHierarchy h, string cgroupsPath, string? ownPath)
    {
        if (cgroupsPath.StartsWith('/'))
        {
            return Path.GetFullPath(Path.Join(h.MountPoint, cgroupsPath));
        }

        // The caller's cgroup is given from the kernel's root; the mount may show only a subtree.
        string own = ownPath ?? "/";
        if (h.MountRoot != "/" && (own == h.MountRoot || own.StartsWith(h.MountRoot + "/", StringComparison.Ordinal)))
        {
            own = own[h.MountRoot.Length..];
        }

        return Path.GetFullPath(Path.Join(h.MountPoint, own, cgroupsPath));
    }
}
