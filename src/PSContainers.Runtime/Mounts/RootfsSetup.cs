using PSContainers.Runtime.Paths;
using PSContainers.Runtime.Spec;

namespace PSContainers.Runtime.Mounts;

/// <summary>Builds a container's root inside its new mount namespace and pivots into it.</summary>
/// <remarks>Runs in the container's init, after the namespaces exist and before the user process.</remarks>
internal sealed class RootfsSetup
{
    private static readonly (string Name, uint Major, uint Minor)[] DefaultDevices =
    {
        ("null", 1, 3), ("zero", 1, 5), ("full", 1, 7), ("random", 1, 8), ("urandom", 1, 9), ("tty", 5, 0),
    };

    private readonly Spec.Spec _spec;
    private readonly string _rootfs;
    private readonly string _bundle;
    private readonly bool _inUserNamespace;

    public RootfsSetup(Spec.Spec spec, string rootfs, string bundle, bool inUserNamespace)
    {
        _spec = spec;
        _rootfs = rootfs;
        _bundle = bundle;
        _inUserNamespace = inUserNamespace;
    }

    public void PrepareRoot()
    {
        var propagation = _spec.Linux?.RootfsPropagation;
        // pivot_root refuses a shared parent, so a shared request is applied after the pivot.
        var initial = propagation switch
        {
            "private" => Consts.MS_PRIVATE,
            "rprivate" => Consts.MS_PRIVATE | Consts.MS_REC,
            "slave" => Consts.MS_SLAVE,
            "unbindable" => Consts.MS_UNBINDABLE,
            "runbindable" => Consts.MS_UNBINDABLE | Consts.MS_REC,
            null or "" or "rslave" or "shared" or "rshared" => Consts.MS_SLAVE | Consts.MS_REC,
            _ => throw new InvalidOperationException($"unknown rootfsPropagation '{propagation}'"),
        };
        Libc.Check(Libc.Mount(null, "/", null, initial, null), "mount (propagation of /)", "/");
        Libc.Check(Libc.Mount(_rootfs, _rootfs, null, Consts.MS_BIND | Consts.MS_REC, null), "mount (bind root)", _rootfs);
    }

    public void MountAll()
    {
        foreach (var m in _spec.Mounts ?? new List<Mount>())
        {
            MountOne(m);
        }

        if (NeedsDefaultDevices())
        {
            CreateDevices();
        }
    }

    private bool NeedsDefaultDevices()
    {
        var dev = _spec.Mounts?.FirstOrDefault(m => m.Destination.TrimEnd('/') == "/dev");
        return dev is null || !MountOptions.Parse(dev.Options).IsBind;
    }

    private void MountOne(Mount m)
    {
        if (string.IsNullOrEmpty(m.Destination) || !m.Destination.StartsWith('/'))
        {
            throw new InvalidOperationException($"mount destination '{m.Destination}' is not absolute");
        }

        var options = MountOptions.Parse(m.Options);
        var type = m.Type ?? (options.IsBind ? "bind" : "none");
        var target = SecurePath.Resolve(_rootfs, m.Destination);

        if (options.IsBind || type == "bind")
        {
            BindMount(m, options, target);
        }
        else if (type == "cgroup" || type == "cgroup2")
        {
            MountCgroups(m, options, target);
        }
        else
        {
            SecurePath.MkdirAll(_rootfs, m.Destination, (UnixFileMode)0x1ED);
            var source = string.IsNullOrEmpty(m.Source) ? type : m.Source;
            var flags = options.Flags & ~Consts.MS_REMOUNT;
            var under = options.TmpCopyUp && type == "tmpfs"
                ? Libc.Open(target, Consts.O_DIRECTORY | Consts.O_RDONLY | Consts.O_CLOEXEC, 0)
                : -1;
            var rc = Libc.Mount(source, target, type, flags, options.Data);
            if (rc < 0 && Libc.LastErrno == Errno.EPERM && type is "sysfs" or "mqueue")
            {
                // Without its own network (sysfs) or ipc (mqueue) namespace the kernel refuses a new instance: bind the host's.
                var host = type == "sysfs" ? "/sys" : "/dev/mqueue";
                Libc.Check(Libc.Mount(host, target, null, Consts.MS_BIND | Consts.MS_REC, null), $"mount {host} (bind)", target);
                Remount(target, flags | Consts.MS_BIND);
            }
            else
            {
                Libc.Check(rc, $"mount {type}", target);
            }

            if (under >= 0)
            {
                // The fd still reaches the directory the tmpfs now hides.
                CopyTree($"/proc/self/fd/{under}", target);
                Libc.Close(under);
            }
        }

        if (options.Propagation != 0)
        {
            Libc.Check(Libc.Mount(null, target, null, options.Propagation, null), "mount (propagation)", target);
        }
    }

    private void BindMount(Mount m, MountOptions options, string target)
    {
        var source = m.Source ?? throw new InvalidOperationException($"bind mount to {m.Destination} has no source");
        if (!source.StartsWith('/'))
        {
            source = Path.GetFullPath(Path.Combine(_bundle, source));
        }

        if (Directory.Exists(source))
        {
            SecurePath.MkdirAll(_rootfs, m.Destination, (UnixFileMode)0x1ED);
        }
        else if (File.Exists(source) || Path.Exists(source))
        {
            var parent = Path.GetDirectoryName(m.Destination.TrimEnd('/')) ?? "/";
            SecurePath.MkdirAll(_rootfs, parent, (UnixFileMode)0x1ED);
            target = SecurePath.Resolve(_rootfs, m.Destination);
            if (!Path.Exists(target))
            {
                using (File.Create(target))
                {
                }
            }
        }
        else
        {
            throw new SyscallException("mount (bind source)", source, Errno.ENOENT);
        }

        var bindFlags = Consts.MS_BIND | (options.Flags & Consts.MS_REC);
        Libc.Check(Libc.Mount(source, target, null, bindFlags, null), "mount (bind)", $"{source} on {target}");
        var extra = options.Flags & ~(Consts.MS_BIND | Consts.MS_REC | Consts.MS_REMOUNT);
        if (extra != 0)
        {
            Remount(target, extra | Consts.MS_BIND | (options.Flags & Consts.MS_REC));
        }
    }

    /// <summary>Changes flags of an existing mount, keeping the ones the kernel locked.</summary>
    internal static void Remount(string target, ulong flags)
    {
        var rc = Libc.Mount(null, target, null, Consts.MS_REMOUNT | flags, null);
        if (rc < 0 && Libc.LastErrno == Errno.EPERM)
        {
            var locked = LibcFs.MountFlagsOf(target);
            rc = Libc.Mount(null, target, null, Consts.MS_REMOUNT | flags | locked, null);
        }

        Libc.Check(rc, "mount (remount)", target);
    }

    private void MountCgroups(Mount m, MountOptions options, string target)
    {
        SecurePath.MkdirAll(_rootfs, m.Destination, (UnixFileMode)0x1ED);
        var readOnly = (options.Flags & Consts.MS_RDONLY) != 0;
        var baseFlags = Consts.MS_NOSUID | Consts.MS_NODEV | Consts.MS_NOEXEC;
        var hierarchies = CgroupMountInfo.ForSelf();
        if (hierarchies.Unified && hierarchies.Hierarchies.Count == 1)
        {
            var h = hierarchies.Hierarchies[0];
            Libc.Check(Libc.Mount(h.ContainerDir, target, null, Consts.MS_BIND | Consts.MS_REC, null), "mount (cgroup2 bind)", target);
            Remount(target, baseFlags | Consts.MS_BIND | (readOnly ? Consts.MS_RDONLY : 0));
            return;
        }

        // cgroup v1: a tmpfs with one bind of the container's own directory per hierarchy, as runc lays it out.
        Libc.Check(Libc.Mount("tmpfs", target, "tmpfs", baseFlags, "mode=755"), "mount tmpfs (cgroup root)", target);
        foreach (var h in hierarchies.Hierarchies)
        {
            if (h.Name.Length == 0)
            {
                continue;
            }

            var dir = Path.Combine(target, h.Name);
            Directory.CreateDirectory(dir);
            if (!Directory.Exists(h.ContainerDir))
            {
                continue;
            }

            Libc.Check(Libc.Mount(h.ContainerDir, dir, null, Consts.MS_BIND | Consts.MS_REC, null), "mount (cgroup bind)", dir);
            Remount(dir, baseFlags | Consts.MS_BIND | (readOnly ? Consts.MS_RDONLY : 0));
            if (h.Name.Contains(','))
            {
                foreach (var alias in h.Name.Split(','))
                {
                    var link = Path.Combine(target, alias);
                    if (!Path.Exists(link))
                    {
                        File.CreateSymbolicLink(link, h.Name);
                    }
                }
            }
        }

        if (readOnly)
        {
            Remount(target, baseFlags | Consts.MS_RDONLY);
        }
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos())
        {
            var dest = Path.Combine(to, entry.Name);
            if (entry.LinkTarget is { } link)
            {
                File.CreateSymbolicLink(dest, link);
            }
            else if (entry is DirectoryInfo dir)
            {
                Directory.CreateDirectory(dest, dir.UnixFileMode);
                CopyTree(dir.FullName, dest);
            }
            else if (entry is FileInfo file)
            {
                file.CopyTo(dest, overwrite: true);
            }
        }
    }

    private void CreateDevices()
    {
        var devDir = SecurePath.Resolve(_rootfs, "/dev");
        Directory.CreateDirectory(devDir);
        foreach (var (name, major, minor) in DefaultDevices)
        {
            MakeDevice("/dev/" + name, 'c', major, minor, 0x1B6, 0, 0);
        }

        foreach (var d in _spec.Linux?.Devices ?? new List<LinuxDevice>())
        {
            var type = string.IsNullOrEmpty(d.Type) ? 'c' : d.Type[0];
            MakeDevice(d.Path, type, (uint)(d.Major ?? 0), (uint)(d.Minor ?? 0), d.FileMode ?? 0x1B6, d.Uid ?? 0, d.Gid ?? 0);
        }

        Link("/proc/self/fd", "/dev/fd");
        Link("/proc/self/fd/0", "/dev/stdin");
        Link("/proc/self/fd/1", "/dev/stdout");
        Link("/proc/self/fd/2", "/dev/stderr");
        if (File.Exists("/proc/kcore"))
        {
            Link("/proc/kcore", "/dev/core");
        }

        if (!Path.Exists(SecurePath.Resolve(_rootfs, "/dev/ptmx")))
        {
            Link("pts/ptmx", "/dev/ptmx");
        }
    }

    private void Link(string linkTarget, string path)
    {
        var host = SecurePath.Resolve(_rootfs, path);
        if (!Path.Exists(host) && !File.Exists(host))
        {
            Libc.Check(Libc.Symlink(linkTarget, host), "symlink", host);
        }
    }

    private void MakeDevice(string path, char type, uint major, uint minor, uint mode, uint uid, uint gid)
    {
        if (!path.StartsWith("/dev/", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"device path '{path}' is not under /dev");
        }

        var parent = Path.GetDirectoryName(path) ?? "/dev";
        SecurePath.MkdirAll(_rootfs, parent, (UnixFileMode)0x1ED);
        var host = SecurePath.Resolve(_rootfs, path);
        if (Path.Exists(host))
        {
            File.Delete(host);
        }

        var fileType = type switch
        {
            'c' or 'u' => Consts.S_IFCHR,
            'b' => Consts.S_IFBLK,
            'p' => Consts.S_IFIFO,
            _ => throw new InvalidOperationException($"device {path}: unknown type '{type}'"),
        };
        if (!_inUserNamespace)
        {
            var rc = Libc.Mknod(host, fileType | (mode & 0xFFF), Consts.Makedev(major, minor));
            if (rc == 0)
            {
                Libc.Check(Libc.Chmod(host, mode & 0xFFF), "chmod", host);
                Libc.Check(Libc.Chown(host, uid, gid), "chown", host);
                return;
            }

            if (Libc.LastErrno != Errno.EPERM)
            {
                Libc.Check(rc, "mknod", host);
            }
        }

        // A user namespace may not create device nodes: bind the host's node instead.
        using (File.Create(host))
        {
        }

        Libc.Check(Libc.Mount(path, host, null, Consts.MS_BIND, null), "mount (bind device)", host);
    }

    /// <summary>Switches the root to the prepared rootfs and detaches the old one.</summary>
    public void PivotRoot(bool noPivot)
    {
        if (noPivot)
        {
            Libc.Check(Libc.Chdir(_rootfs), "chdir", _rootfs);
            Libc.Check(Libc.Mount(_rootfs, "/", null, Consts.MS_MOVE, null), "mount (move root)", _rootfs);
            Libc.Check(Libc.Chroot("."), "chroot", _rootfs);
            Libc.Check(Libc.Chdir("/"), "chdir", "/");
            return;
        }

        var oldRoot = Libc.Open("/", Consts.O_DIRECTORY | Consts.O_RDONLY | Consts.O_CLOEXEC, 0);
        Libc.Check(oldRoot, "open", "/");
        var newRoot = Libc.Open(_rootfs, Consts.O_DIRECTORY | Consts.O_RDONLY | Consts.O_CLOEXEC, 0);
        Libc.Check(newRoot, "open", _rootfs);
        try
        {
            Libc.Check(Libc.Fchdir(newRoot), "fchdir", _rootfs);
            Libc.Check(Libc.PivotRoot(".", "."), "pivot_root", _rootfs);
            // The old root now sits under the new one at ".": detach it without telling the host.
            Libc.Check(Libc.Fchdir(oldRoot), "fchdir", "old root");
            Libc.Check(Libc.Mount(null, ".", null, Consts.MS_SLAVE | Consts.MS_REC, null), "mount (old root slave)", "old root");
            Libc.Check(Libc.Umount2(".", Consts.MNT_DETACH), "umount2", "old root");
            Libc.Check(Libc.Chdir("/"), "chdir", "/");
        }
        finally
        {
            Libc.Close(oldRoot);
            Libc.Close(newRoot);
        }
    }

    /// <summary>Work done after the pivot: propagation, sysctls, read-only and masked paths, read-only root.</summary>
    public void FinishInsideRoot()
    {
        if (_spec.Linux?.RootfsPropagation is "shared" or "rshared")
        {
            var rec = _spec.Linux.RootfsPropagation == "rshared" ? Consts.MS_REC : 0;
            Libc.Check(Libc.Mount(null, "/", null, Consts.MS_SHARED | rec, null), "mount (shared root)", "/");
        }

        foreach (var (key, value) in _spec.Linux?.Sysctl ?? new Dictionary<string, string>())
        {
            if (key.Contains("..") || key.Contains('/') && key.Contains('.'))
            {
                throw new InvalidOperationException($"sysctl '{key}' is not a valid name");
            }

            var file = "/proc/sys/" + key.Replace('.', '/');
            try
            {
                File.WriteAllText(file, value);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"sysctl {key}={value}: {e.Message}", e);
            }
        }

        foreach (var path in _spec.Linux?.ReadonlyPaths ?? new List<string>())
        {
            MakeReadonly(path);
        }

        foreach (var path in _spec.Linux?.MaskedPaths ?? new List<string>())
        {
            Mask(path);
        }

        if (_spec.Root?.Readonly == true)
        {
            Remount("/", Consts.MS_BIND | Consts.MS_RDONLY);
        }
    }

    private static void MakeReadonly(string path)
    {
        var rc = Libc.Mount(path, path, null, Consts.MS_BIND | Consts.MS_REC, null);
        if (rc < 0 && Libc.LastErrno == Errno.ENOENT)
        {
            return;
        }

        Libc.Check(rc, "mount (readonly path bind)", path);
        Remount(path, Consts.MS_BIND | Consts.MS_REC | Consts.MS_RDONLY | Consts.MS_NOSUID | Consts.MS_NODEV | Consts.MS_NOEXEC);
    }

    private static void Mask(string path)
    {
        if (Directory.Exists(path))
        {
            Libc.Check(Libc.Mount("tmpfs", path, "tmpfs", Consts.MS_RDONLY, null), "mount (mask dir)", path);
        }
        else if (Path.Exists(path) || File.Exists(path))
        {
            Libc.Check(Libc.Mount("/dev/null", path, null, Consts.MS_BIND, null), "mount (mask file)", path);
        }
    }
}
