using System.Globalization;
using PSContainers.Runtime.Capabilities;
using PSContainers.Runtime.Mounts;
using PSContainers.Runtime.Paths;
using PSContainers.Runtime.Spec;

namespace PSContainers.Runtime.Processes.Plan;

/// <summary>Turns a container's config into the setup plan its first process executes between clone and execve.</summary>
/// <remarks>
/// Mount targets are never resolved here: each step opens its target with openat2(RESOLVE_IN_ROOT) relative
/// to the rootfs at the moment it mounts, so symlinks resolve inside the rootfs and earlier mounts are seen,
/// and mounts onto the opened descriptor through /proc/self/fd, so nothing can be swapped in between.
/// </remarks>
internal static unsafe class ContainerSetupPlanner
{
    // Descriptor numbers the plan reserves for its own use; all close-on-exec.
    private const int RootFd = 240, TargetFd = 241, DirFd = 242, OldRootFd = 243, ConsoleSlaveFd = 244, CgroupFd = 245, HostProcFd = 246;

    private const long SysChdir = 80, SysFchdir = 81, SysUmask = 95, SysSetsid = 112, SysSetgroups = 116, SysSetresuid = 117,
        SysSetresgid = 119, SysCapset = 126, SysPrctl = 157, SysSetrlimit = 160, SysChroot = 161, SysUmount2 = 166,
        SysSethostname = 170, SysSetdomainname = 171, SysUnlinkat = 263, SysKeyctl = 250, SysUnshare = 272,
        SysPivotRoot = 155, SysFcntl = 72, SysCloseRange = 436, SysRtSigaction = 13, SysRtSigprocmask = 14;

    private static readonly (string Name, uint Major, uint Minor)[] DefaultDevices =
    {
        ("null", 1, 3), ("zero", 1, 5), ("full", 1, 7), ("random", 1, 8), ("urandom", 1, 9), ("tty", 5, 0),
    };

    private const ulong ResolveInRoot = Consts.RESOLVE_IN_ROOT;

    public static SetupPlan ForCreate(CreatePlanInput input)
    {
        var plan = new SetupPlan();
        try
        {
            BuildCreate(plan, input);
            return plan;
        }
        catch
        {
            plan.Dispose();
            throw;
        }
    }

    private static void BuildCreate(SetupPlan plan, CreatePlanInput input)
    {
        var a = plan.Arena;
        var spec = input.Spec;
        var process = spec.Process!;

        byte* stateBuffer = null;
        int* stateLength = null;
        if (input.ReceiveState)
        {
            stateBuffer = a.Bytes(StateCapacity);
            stateLength = (int*)a.Bytes(sizeof(int));
            plan.Add(PlanOpCode.ReceiveFrame, "receive the container state from the runtime", input.SyncFd, (long)stateBuffer, StateCapacity, (long)stateLength);
        }

        // Until execve, /proc/PID/exe of this child is the host's pscrun: a process that shares our pid namespace
        // must not be able to open it (the CVE-2019-5736 class). execve of the user's program makes it dumpable again.
        plan.Syscall("prctl(PR_SET_DUMPABLE, 0)", SysPrctl, Consts.PR_SET_DUMPABLE, 0);

        // Device nodes and directories get exactly the modes asked for.
        plan.Syscall("umask", SysUmask, 0);
        if (input.NewCgroupNamespace)
        {
            plan.Syscall("unshare(CLONE_NEWCGROUP)", SysUnshare, Consts.CLONE_NEWCGROUP);
        }

        if (input.NewUtsNamespace)
        {
            AddName(plan, spec.Hostname, SysSethostname, "sethostname");
            AddName(plan, spec.Domainname, SysSetdomainname, "setdomainname");
        }

        if (input.NewNetworkNamespace)
        {
            // A new network namespace starts with lo down: a server on 127.0.0.1 in the container would be unreachable.
            plan.Add(PlanOpCode.LoopbackUp, "bring up the loopback interface (SIOCSIFFLAGS on lo)");
        }

        if (input.HostMountNamespace)
        {
            plan.Add(PlanOpCode.Open, $"open the rootfs {input.Rootfs}", (long)a.Str(input.Rootfs), Consts.O_PATH | Consts.O_DIRECTORY | Consts.O_CLOEXEC, 0, RootFd);
            // The exec fifo is reopened through /proc/self/fd after the chroot, and the rootfs has no /proc mounted.
            plan.Add(PlanOpCode.Open, "open the host's /proc for the exec fifo", (long)a.Str("/proc"), Consts.O_PATH | Consts.O_DIRECTORY | Consts.O_CLOEXEC, 0, HostProcFd);
        }
        else
        {
            AddRootfs(plan, input);
        }

        if (input.HooksRoundTrip)
        {
            var ready = Frame(a, SyncChannel.HooksReady, out var readyLength);
            plan.Add(PlanOpCode.Send, "tell the runtime the rootfs is ready for hooks", input.SyncFd, (long)ready, readyLength);
            plan.Add(PlanOpCode.Receive, "wait for the runtime's hooks", input.SyncFd, (long)a.Bytes(5), 5);
        }

        foreach (var hook in spec.Hooks?.CreateContainer ?? new List<Hook>())
        {
            AddHook(plan, hook, "createContainer", stateBuffer, stateLength);
        }

        if (input.HostMountNamespace)
        {
            plan.Syscall("chdir to the rootfs", SysFchdir, RootFd);
            plan.Syscall("chroot (no mount namespace: the host's mounts are shared, so no pivot_root)", SysChroot, (long)a.Str("."));
            plan.Syscall("chdir /", SysChdir, (long)a.Str("/"));
            plan.Syscall("close the rootfs", 3, RootFd);
        }
        else
        {
            AddPivot(plan, input);
        }

        AddInsideRoot(plan, spec);

        plan.Syscall("setsid", SysSetsid);
        if (process.Terminal == true)
        {
            // Without a mount namespace a bind on /dev/console would be a mount on the host.
            AddConsole(plan, input.ConsoleFd, process.ConsoleSize, bindConsole: !input.HostMountNamespace);
        }

        if (!input.NoNewKeyring)
        {
            // A private session keyring; kernels without keys, or out of keyring quota, run without one.
            plan.Syscall("keyctl(KEYCTL_JOIN_SESSION_KEYRING)", SysKeyctl, Consts.KEYCTL_JOIN_SESSION_KEYRING, 0, tolerate: PlanExecutor.AnyErrno);
        }

        ProcessAttributesPlanner.AddPersonality(plan, spec.Linux?.Personality);
        var exec = AddProcessPreparation(plan, process);
        var created = Frame(a, SyncChannel.Created, out var createdLength);
        plan.CreatedStep = plan.Add(PlanOpCode.Send, "tell the runtime the container is created", input.SyncFd, (long)created, createdLength);
        plan.Syscall("close sync socket", 3 /* close */, input.SyncFd, tolerate: PlanExecutor.AnyErrno);

        if (input.HostMountNamespace)
        {
            plan.Add(PlanOpCode.WaitFifo, "wait for start on the exec fifo",
                (long)a.Str("self/fd/" + input.FifoFd.ToString(CultureInfo.InvariantCulture)), input.FifoFd, HostProcFd);
            plan.Syscall("close the host's /proc", 3, HostProcFd);
        }
        else
        {
            plan.Add(PlanOpCode.WaitFifo, "wait for start on the exec fifo",
                (long)a.Str("/proc/self/fd/" + input.FifoFd.ToString(CultureInfo.InvariantCulture)), input.FifoFd);
        }

        foreach (var hook in spec.Hooks?.StartContainer ?? new List<Hook>())
        {
            AddHook(plan, hook, "startContainer", stateBuffer, stateLength);
        }

        AddIdentityAndExec(plan, process, input.PreserveFds, exec, spec.Linux?.Seccomp);
    }

    private const int StateCapacity = 1 << 20;

    private static byte* Frame(NativeArena a, byte type, out int length)
    {
        var frame = a.Bytes(5);
        frame[0] = type;
        length = 5;
        return frame;
    }

    private static void AddName(SetupPlan plan, string? name, long nr, string call)
    {
        if (string.IsNullOrEmpty(name))
        {
            return;
        }

        var bytes = System.Text.Encoding.UTF8.GetBytes(name);
        var p = plan.Arena.Str(name);
        plan.Syscall($"{call} {name}", nr, (long)p, bytes.Length);
    }

    private static void AddRootfs(SetupPlan plan, CreatePlanInput input)
    {
        var a = plan.Arena;
        var spec = input.Spec;
        var propagation = spec.Linux?.RootfsPropagation;
        var initial = propagation switch
        {
            "private" => Consts.MS_PRIVATE,
            "rprivate" => Consts.MS_PRIVATE | Consts.MS_REC,
            "slave" => Consts.MS_SLAVE,
            // pivot_root refuses a shared parent, and an unbindable one cannot be bind-mounted onto itself, so
            // those are applied to the new root after the pivot.
            null or "" or "rslave" or "shared" or "rshared" or "unbindable" or "runbindable" => Consts.MS_SLAVE | Consts.MS_REC,
            _ => throw new InvalidOperationException($"unknown rootfsPropagation '{propagation}'"),
        };
        var rootfs = a.Str(input.Rootfs);
        plan.Rootfs = input.Rootfs;
        plan.Add(PlanOpCode.Mount, "make / a slave of the host's mounts", 0, (long)a.Str("/"), 0, (long)initial, 0);
        plan.Add(PlanOpCode.Mount, $"bind the rootfs {input.Rootfs} onto itself", (long)rootfs, (long)rootfs, 0, (long)(Consts.MS_BIND | Consts.MS_REC), 0);
        plan.Add(PlanOpCode.Open, $"open the rootfs {input.Rootfs}", (long)rootfs, Consts.O_PATH | Consts.O_DIRECTORY | Consts.O_CLOEXEC, 0, RootFd);

        var bindDev = false;
        foreach (var m in spec.Mounts ?? new List<Mount>())
        {
            var options = MountOptions.Parse(m.Options);
            bindDev |= m.Destination.TrimEnd('/') == "/dev" && options.IsBind;
            AddMount(plan, input, m, options);
        }

        if (!bindDev)
        {
            AddDevices(plan, spec, input.NewUserNamespace);
        }
    }

    private static string Rel(string destination)
    {
        var parts = destination.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        return parts.Length == 0 ? "." : string.Join('/', parts);
    }

    /// <summary>Creates every missing directory of a path inside the rootfs, one component at a time.</summary>
    /// <remarks>
    /// A path on the rootfs itself is created now, by the runtime, with SecurePath (which also follows dangling
    /// symlinks inside the root, as runc does); only paths inside mounts the plan itself makes (a tmpfs on /dev,
    /// a bind of a volume) are left to the child, which creates them after those mounts exist.
    /// </remarks>
    private static void AddMkdirs(SetupPlan plan, string destination, bool lastIsFile)
    {
        if (!plan.IsUnderPlannedMount(destination) && plan.Rootfs is { } rootfs)
        {
            if (lastIsFile)
            {
                var parent = Path.GetDirectoryName(destination.TrimEnd('/')) ?? "/";
                SecurePath.MkdirAll(rootfs, parent, (UnixFileMode)0x1ED);
                var file = SecurePath.Resolve(rootfs, destination);
                if (!Path.Exists(file))
                {
                    using (File.Create(file))
                    {
                    }
                }
            }
            else
            {
                SecurePath.MkdirAll(rootfs, destination, (UnixFileMode)0x1ED);
            }

            return;
        }

        var a = plan.Arena;
        var parts = destination.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        for (var i = 0; i < parts.Length; i++)
        {
            var parent = i == 0 ? "." : string.Join('/', parts[..i]);
            plan.Add(PlanOpCode.OpenInRoot, $"open /{parent} in the rootfs", RootFd, (long)a.Str(parent),
                Consts.O_PATH | Consts.O_DIRECTORY | Consts.O_CLOEXEC, (long)ResolveInRoot, DirFd);
            if (i == parts.Length - 1 && lastIsFile)
            {
                plan.Add(PlanOpCode.TouchAt, $"create the mount point file {destination}", DirFd, (long)a.Str(parts[i]), 0x1A4,
                    tolerate: Errno.EISDIR, tolerate2: Errno.ELOOP);
            }
            else
            {
                plan.Add(PlanOpCode.MkdirAt, $"mkdir /{string.Join('/', parts[..(i + 1)])} in the rootfs", DirFd, (long)a.Str(parts[i]), 0x1ED,
                    tolerate: Errno.EEXIST);
            }
        }
    }

    private static void OpenTarget(SetupPlan plan, string destination, int fd = TargetFd, PlanOpFlags flags = PlanOpFlags.None)
    {
        plan.Add(PlanOpCode.OpenInRoot, $"open the mount point {destination} in the rootfs", RootFd, (long)plan.Arena.Str(Rel(destination)),
            Consts.O_PATH | Consts.O_CLOEXEC, (long)ResolveInRoot, fd, flags: flags);
    }

    private static byte* FdPath(NativeArena a, int fd) => a.Str("/proc/self/fd/" + fd.ToString(CultureInfo.InvariantCulture));

    private static void AddMount(SetupPlan plan, CreatePlanInput input, Mount m, MountOptions options)
    {
        var a = plan.Arena;
        if (string.IsNullOrEmpty(m.Destination) || !m.Destination.StartsWith('/'))
        {
            throw new InvalidOperationException($"mount destination '{m.Destination}' is not absolute");
        }

        if (options.TmpCopyUp && (m.Type ?? "") != "tmpfs")
        {
            throw new InvalidOperationException($"mount {m.Destination}: the 'tmpcopyup' option applies to tmpfs mounts only, not {m.Type ?? "a mount without a type"}");
        }

        var type = m.Type ?? (options.IsBind ? "bind" : "none");
        var target = FdPath(a, TargetFd);
        var where = m.Destination;

        if (options.IsBind || type == "bind")
        {
            var source = m.Source ?? throw new InvalidOperationException($"bind mount to {m.Destination} has no source");
            if (!source.StartsWith('/'))
            {
                source = Path.GetFullPath(Path.Combine(input.Bundle, source));
            }

            if (!Path.Exists(source))
            {
                throw new InvalidOperationException($"bind mount source {source} (for {m.Destination}) does not exist");
            }

            AddMkdirs(plan, m.Destination, lastIsFile: !Directory.Exists(source));
            OpenTarget(plan, where);
            plan.Add(PlanOpCode.Mount, $"bind mount {source} on {where}", (long)a.Str(source), (long)target, 0,
                (long)(Consts.MS_BIND | (options.Flags & Consts.MS_REC)), 0);
            var extra = options.Flags & ~(Consts.MS_BIND | Consts.MS_REC | Consts.MS_REMOUNT);
            if (extra != 0)
            {
                OpenTarget(plan, where);
                plan.Add(PlanOpCode.Remount, $"remount {where} with its options", (long)target, (long)(extra | Consts.MS_BIND | (options.Flags & Consts.MS_REC)));
            }
        }
        else if (type is "cgroup" or "cgroup2")
        {
            AddCgroupMount(plan, input, m, options);
        }
        else
        {
            AddMkdirs(plan, m.Destination, lastIsFile: false);
            OpenTarget(plan, where);
            var source = string.IsNullOrEmpty(m.Source) ? type : m.Source;
            var flags = options.Flags & ~Consts.MS_REMOUNT;
            var fallback = type is "sysfs" or "mqueue";
            plan.Add(PlanOpCode.Mount, $"mount {type} on {where}", (long)a.Str(source), (long)target, (long)a.Str(type), (long)flags,
                options.Data is null ? 0 : (long)a.Str(options.Data), tolerate: fallback ? Errno.EPERM : 0);
            if (fallback)
            {
                // Without its own network (sysfs) or ipc (mqueue) namespace the kernel refuses a new instance: bind the host's.
                var host = type == "sysfs" ? "/sys" : "/dev/mqueue";
                plan.Add(PlanOpCode.Mount, $"bind mount {host} on {where}", (long)a.Str(host), (long)target, 0, (long)(Consts.MS_BIND | Consts.MS_REC), 0,
                    flags: PlanOpFlags.IfPreviousTolerated);
                OpenTarget(plan, where, flags: PlanOpFlags.IfPreviousTolerated);
                plan.Add(PlanOpCode.Remount, $"remount {where} with its options", (long)target, (long)(flags | Consts.MS_BIND | Consts.MS_REC),
                    flags: PlanOpFlags.IfPreviousTolerated);
            }
        }

        if (options.Propagation != 0)
        {
            OpenTarget(plan, where);
            plan.Add(PlanOpCode.Mount, $"set the propagation of {where}", 0, (long)target, 0, (long)options.Propagation, 0);
        }

        plan.PlannedMounts.Add(where);
    }

    private static void AddCgroupMount(SetupPlan plan, CreatePlanInput input, Mount m, MountOptions options)
    {
        var a = plan.Arena;
        var target = FdPath(a, TargetFd);
        var readOnly = (options.Flags & Consts.MS_RDONLY) != 0;
        var baseFlags = Consts.MS_NOSUID | Consts.MS_NODEV | Consts.MS_NOEXEC;
        AddMkdirs(plan, m.Destination, lastIsFile: false);
        OpenTarget(plan, m.Destination);
        var dirs = input.CgroupDirectories;
        if (dirs.Count == 1 && dirs[0].Unified)
        {
            plan.Add(PlanOpCode.Mount, $"bind the container's cgroup on {m.Destination}", (long)a.Str(dirs[0].Directory), (long)target, 0, (long)(Consts.MS_BIND | Consts.MS_REC), 0);
            OpenTarget(plan, m.Destination);
            plan.Add(PlanOpCode.Remount, $"remount {m.Destination}", (long)target, (long)(baseFlags | Consts.MS_BIND | (readOnly ? Consts.MS_RDONLY : 0)));
            return;
        }

        // cgroup v1: a tmpfs holding one bind of the container's own directory per hierarchy, as runc lays it out.
        plan.Add(PlanOpCode.Mount, $"mount tmpfs on {m.Destination}", (long)a.Str("tmpfs"), (long)target, (long)a.Str("tmpfs"), (long)baseFlags, (long)a.Str("mode=755"));
        var cgroupTarget = FdPath(a, CgroupFd);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var h in dirs.Where(d => d.Name.Length > 0 && Directory.Exists(d.Directory)))
        {
            var where = m.Destination.TrimEnd('/') + "/" + h.Name;
            OpenTarget(plan, m.Destination);
            plan.Add(PlanOpCode.MkdirAt, $"mkdir {where}", TargetFd, (long)a.Str(h.Name), 0x1ED, tolerate: Errno.EEXIST);
            OpenTarget(plan, where, CgroupFd);
            plan.Add(PlanOpCode.Mount, $"bind the container's {h.Name} cgroup on {where}", (long)a.Str(h.Directory), (long)cgroupTarget, 0, (long)(Consts.MS_BIND | Consts.MS_REC), 0);
            OpenTarget(plan, where, CgroupFd);
            plan.Add(PlanOpCode.Remount, $"remount {where}", (long)cgroupTarget, (long)(baseFlags | Consts.MS_BIND | (readOnly ? Consts.MS_RDONLY : 0)));
            seen.Add(h.Name);
        }

        foreach (var h in dirs.Where(d => d.Name.Contains(',') && seen.Contains(d.Name)))
        {
            foreach (var alias in h.Name.Split(','))
            {
                if (seen.Add(alias))
                {
                    OpenTarget(plan, m.Destination);
                    plan.Add(PlanOpCode.SymlinkAt, $"symlink {m.Destination}/{alias}", (long)a.Str(h.Name), TargetFd, (long)a.Str(alias), tolerate: Errno.EEXIST);
                }
            }
        }

        if (readOnly)
        {
            OpenTarget(plan, m.Destination);
            plan.Add(PlanOpCode.Remount, $"remount {m.Destination} read-only", (long)target, (long)(baseFlags | Consts.MS_RDONLY));
        }
    }

    private static void AddDevices(SetupPlan plan, Spec.Spec spec, bool inUserNamespace)
    {
        var a = plan.Arena;
        AddMkdirs(plan, "/dev", lastIsFile: false);
        var devices = DefaultDevices.Select(d => (Path: "/dev/" + d.Name, Type: 'c', d.Major, d.Minor, Mode: 0x1B6u, Uid: 0u, Gid: 0u)).ToList();
        foreach (var d in spec.Linux?.Devices ?? new List<LinuxDevice>())
        {
            if (!d.Path.StartsWith("/dev/", StringComparison.Ordinal) || d.Path.Contains("/../", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"device path '{d.Path}' is not under /dev");
            }

            var type = string.IsNullOrEmpty(d.Type) ? 'c' : d.Type[0];
            devices.Add((d.Path, type, (uint)(d.Major ?? 0), (uint)(d.Minor ?? 0), d.FileMode ?? 0x1B6, d.Uid ?? 0, d.Gid ?? 0));
        }

        foreach (var d in devices)
        {
            var fileType = d.Type switch
            {
                'c' or 'u' => Consts.S_IFCHR,
                'b' => Consts.S_IFBLK,
                'p' => Consts.S_IFIFO,
                _ => throw new InvalidOperationException($"device {d.Path}: unknown type '{d.Type}'"),
            };
            var parent = Path.GetDirectoryName(d.Path)!;
            var name = a.Str(Path.GetFileName(d.Path));
            if (parent != "/dev")
            {
                AddMkdirs(plan, parent, lastIsFile: false);
            }

            plan.Add(PlanOpCode.OpenInRoot, $"open {parent} in the rootfs", RootFd, (long)a.Str(Rel(parent)), Consts.O_PATH | Consts.O_DIRECTORY | Consts.O_CLOEXEC, (long)ResolveInRoot, DirFd);
            plan.Syscall($"remove an old {d.Path}", SysUnlinkat, DirFd, (long)name, 0, tolerate: Errno.ENOENT);
            // A user namespace may not create device nodes: bind the host's node over an empty file instead.
            plan.Add(PlanOpCode.MknodAt, $"mknod {d.Path}", DirFd, (long)name, fileType | (d.Mode & 0xFFF), (long)Consts.Makedev(d.Major, d.Minor),
                tolerate: inUserNamespace ? Errno.EPERM : 0);
            plan.Add(PlanOpCode.FchownAt, $"chown {d.Path}", DirFd, (long)name, d.Uid, d.Gid, Consts.AT_SYMLINK_NOFOLLOW, flags: PlanOpFlags.IfPreviousSucceeded);
            if (inUserNamespace)
            {
                plan.Add(PlanOpCode.TouchAt, $"create {d.Path} for a bind", DirFd, (long)name, 0x1A4, flags: PlanOpFlags.IfPreviousTolerated);
                OpenTarget(plan, d.Path, flags: PlanOpFlags.IfPreviousTolerated);
                plan.Add(PlanOpCode.Mount, $"bind the host's {d.Path}", (long)a.Str(d.Path), (long)FdPath(a, TargetFd), 0, (long)Consts.MS_BIND, 0,
                    flags: PlanOpFlags.IfPreviousTolerated);
            }
        }

        plan.Add(PlanOpCode.OpenInRoot, "open /dev in the rootfs", RootFd, (long)a.Str("dev"), Consts.O_PATH | Consts.O_DIRECTORY | Consts.O_CLOEXEC, (long)ResolveInRoot, DirFd);
        var links = new List<(string Target, string Name)>
        {
            ("/proc/self/fd", "fd"), ("/proc/self/fd/0", "stdin"), ("/proc/self/fd/1", "stdout"), ("/proc/self/fd/2", "stderr"), ("pts/ptmx", "ptmx"),
        };
        if (File.Exists("/proc/kcore"))
        {
            links.Add(("/proc/kcore", "core"));
        }

        foreach (var (linkTarget, linkName) in links)
        {
            plan.Add(PlanOpCode.SymlinkAt, $"symlink /dev/{linkName}", (long)a.Str(linkTarget), DirFd, (long)a.Str(linkName), tolerate: Errno.EEXIST);
        }
    }

    private static void AddPivot(SetupPlan plan, CreatePlanInput input)
    {
        var a = plan.Arena;
        var dot = a.Str(".");
        if (input.NoPivot)
        {
            plan.Syscall("chdir to the rootfs", SysFchdir, RootFd);
            plan.Add(PlanOpCode.Mount, "move the rootfs to /", (long)a.Str(input.Rootfs), (long)a.Str("/"), 0, (long)Consts.MS_MOVE, 0);
            plan.Syscall("chroot", SysChroot, (long)dot);
            plan.Syscall("chdir /", SysChdir, (long)a.Str("/"));
            return;
        }

        plan.Add(PlanOpCode.Open, "open the old root", (long)a.Str("/"), Consts.O_DIRECTORY | Consts.O_RDONLY | Consts.O_CLOEXEC, 0, OldRootFd);
        plan.Syscall("chdir to the rootfs", SysFchdir, RootFd);
        plan.Syscall($"pivot_root to {input.Rootfs}", SysPivotRoot, (long)dot, (long)dot);
        // The old root now sits under the new one at ".": detach it without telling the host.
        plan.Syscall("chdir to the old root", SysFchdir, OldRootFd);
        plan.Add(PlanOpCode.Mount, "make the old root a slave", 0, (long)dot, 0, (long)(Consts.MS_SLAVE | Consts.MS_REC), 0);
        plan.Syscall("unmount the old root", SysUmount2, (long)dot, Consts.MNT_DETACH);
        plan.Syscall("chdir /", SysChdir, (long)a.Str("/"));
        plan.Syscall("close the old root", 3, OldRootFd);
        plan.Syscall("close the rootfs", 3, RootFd);
    }

    private static void AddInsideRoot(SetupPlan plan, Spec.Spec spec)
    {
        var a = plan.Arena;
        if (spec.Linux?.RootfsPropagation is "shared" or "rshared")
        {
            var rec = spec.Linux.RootfsPropagation == "rshared" ? Consts.MS_REC : 0;
            plan.Add(PlanOpCode.Mount, "make / shared", 0, (long)a.Str("/"), 0, (long)(Consts.MS_SHARED | rec), 0);
        }
        else if (spec.Linux?.RootfsPropagation is "unbindable" or "runbindable")
        {
            var rec = spec.Linux.RootfsPropagation == "runbindable" ? Consts.MS_REC : 0;
            plan.Add(PlanOpCode.Mount, "make / unbindable", 0, (long)a.Str("/"), 0, (long)(Consts.MS_UNBINDABLE | rec), 0);
        }

        foreach (var (key, value) in spec.Linux?.Sysctl ?? new Dictionary<string, string>())
        {
            if (key.Length == 0 || key.Contains("..", StringComparison.Ordinal) || key.StartsWith('/') || key.StartsWith('.'))
            {
                throw new InvalidOperationException($"sysctl '{key}' is not a valid name");
            }

            var bytes = System.Text.Encoding.UTF8.GetBytes(value);
            plan.Add(PlanOpCode.WriteFile, $"sysctl {key}={value}", (long)a.Str("/proc/sys/" + key.Replace('.', '/')), (long)a.Str(value), bytes.Length);
        }

        foreach (var path in spec.Linux?.ReadonlyPaths ?? new List<string>())
        {
            plan.Add(PlanOpCode.ReadonlyPath, $"make {path} read-only", (long)a.Str(path));
        }

        foreach (var path in spec.Linux?.MaskedPaths ?? new List<string>())
        {
            plan.Add(PlanOpCode.MaskPath, $"mask {path}", (long)a.Str(path));
        }

        if (spec.Root?.Readonly == true)
        {
            plan.Add(PlanOpCode.Remount, "remount / read-only", (long)a.Str("/"), (long)(Consts.MS_BIND | Consts.MS_RDONLY));
        }
    }

    internal static void AddConsole(SetupPlan plan, int consoleFd, Box? size, bool bindConsole)
    {
        if (consoleFd < 0)
        {
            throw new InvalidOperationException("process.terminal is set but no --console-socket was given");
        }

        var a = plan.Arena;
        var payload = "pty"u8;
        var data = a.Bytes(payload.Length);
        payload.CopyTo(new Span<byte>(data, payload.Length));
        const int controlSize = 24;
        var control = a.Bytes(controlSize);
        *(ulong*)control = 16 + sizeof(int);
        *(int*)(control + 8) = Consts.SOL_SOCKET;
        *(int*)(control + 12) = Consts.SCM_RIGHTS;
        var iov = a.Struct<IoVec>();
        iov->Base = data;
        iov->Len = (nuint)payload.Length;
        var msg = a.Struct<MsgHdr>();
        msg->Iov = iov;
        msg->IovLen = 1;
        msg->Control = control;
        msg->ControlLen = controlSize;
        var rows = size?.Height ?? 0;
        var cols = size?.Width ?? 0;
        plan.Add(PlanOpCode.Console, "set up the terminal", consoleFd, (long)((rows << 16) | (cols & 0xFFFF)),
            bindConsole ? (long)FdPath(a, ConsoleSlaveFd) : 0, ConsoleSlaveFd, (long)msg, (long)(control + 16));
    }

    private static void AddHook(SetupPlan plan, Hook hook, string phase, byte* state, int* stateLength)
    {
        var a = plan.Arena;
        var args = hook.Args is { Count: > 0 } ? hook.Args : new List<string> { hook.Path };
        var timeout = hook.Timeout is > 0 ? hook.Timeout.Value * 1000L : 0;
        plan.Add(PlanOpCode.RunHook, $"{phase} hook {hook.Path}", (long)a.Str(hook.Path), (long)a.StrArray(args),
            (long)a.StrArray(hook.Env ?? new List<string>()), (long)state, (long)stateLength, timeout);
    }

    /// <summary>Checks that the program exists and sets the limits that need privileges; returns the exec candidates.</summary>
    internal static (long Candidates, long Argv, long Envp) AddProcessPreparation(SetupPlan plan, Spec.Process process)
    {
        var a = plan.Arena;
        if (process.OomScoreAdj is { } adj)
        {
            var text = adj.ToString(CultureInfo.InvariantCulture);
            plan.Add(PlanOpCode.WriteFile, $"oom_score_adj {text}", (long)a.Str("/proc/self/oom_score_adj"), (long)a.Str(text), text.Length);
        }

        ProcessAttributesPlanner.AddProcess(plan, process);
        foreach (var r in process.Rlimits ?? new List<LinuxRlimit>())
        {
            var limit = a.Struct<RLimit>();
            limit->Current = r.Soft;
            limit->Max = r.Hard;
            plan.Syscall($"setrlimit {r.Type}", SysSetrlimit, ProcessLauncher.RlimitNumber(r.Type), (long)limit);
        }

        var name = process.Args![0];
        var env = process.Env ?? new List<string>();
        var pathVar = env.LastOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?[5..] ?? ProcessLauncher.DefaultPath;
        var candidates = name.Contains('/')
            ? new List<string> { name.StartsWith('/') ? name : Path.Combine(process.Cwd ?? "/", name) }
            : pathVar.Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, name)).ToList();
        if (!env.Any(e => e.StartsWith("PATH=", StringComparison.Ordinal)))
        {
            env = new List<string>(env) { "PATH=" + ProcessLauncher.DefaultPath };
        }

        var nativeCandidates = a.StrArray(candidates);
        plan.Add(PlanOpCode.CheckExecutable, $"exec: \"{name}\"", (long)nativeCandidates);
        return ((long)nativeCandidates, (long)a.StrArray(process.Args), (long)a.StrArray(env));
    }

    /// <summary>umask, cwd, user, capabilities, descriptors, then execve: the last steps, in the order the kernel needs.</summary>
    internal static void AddIdentityAndExec(SetupPlan plan, Spec.Process process, int preserveFds, (long Candidates, long Argv, long Envp) exec,
        LinuxSeccomp? seccomp = null)
    {
        var a = plan.Arena;
        // As runc: with no_new_privs the filter goes on last, right before execve; without it the kernel wants
        // CAP_SYS_ADMIN to load one, so it goes on before the capabilities are dropped.
        var filter = seccomp is null ? null : Seccomp.SeccompCompiler.CompileCached(seccomp);
        var filterLate = process.NoNewPrivileges == true;
        plan.Syscall("umask", SysUmask, process.User?.Umask ?? 0x12);
        var cwd = string.IsNullOrEmpty(process.Cwd) ? "/" : process.Cwd;
        if (!cwd.StartsWith('/'))
        {
            throw new InvalidOperationException($"process cwd '{cwd}' is not absolute");
        }

        var parts = cwd.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 1; i <= parts.Length; i++)
        {
            var prefix = "/" + string.Join('/', parts[..i]);
            plan.Add(PlanOpCode.Mkdir, $"mkdir {prefix}", (long)a.Str(prefix), 0x1ED, tolerate: Errno.EEXIST, tolerate2: Errno.EROFS);
        }

        plan.Syscall($"chdir {cwd}", SysChdir, (long)a.Str(cwd));

        if (filter is not null && !filterLate)
        {
            Seccomp.SeccompSteps.AddLoad(plan, filter);
        }

        var caps = process.Capabilities;
        if (caps is not null)
        {
            var bounding = CapabilitySet.From(caps.Bounding);
            for (var c = 0; c <= CapabilitySet.LastCap(); c++)
            {
                if (!bounding.Has(c))
                {
                    plan.Syscall($"drop {CapabilitySet.NameOf(c)} from the bounding set", SysPrctl, Consts.PR_CAPBSET_DROP, c, tolerate: Errno.EINVAL);
                }
            }
        }

        var user = process.User;
        plan.Syscall("prctl(PR_SET_KEEPCAPS, 1)", SysPrctl, Consts.PR_SET_KEEPCAPS, 1);
        var groups = user?.AdditionalGids ?? new List<uint>();
        var nativeGroups = (uint*)a.Bytes(Math.Max(1, groups.Count) * sizeof(uint));
        for (var i = 0; i < groups.Count; i++)
        {
            nativeGroups[i] = groups[i];
        }

        // In a user namespace whose setgroups file says "deny", an empty list is all one can have.
        plan.Syscall($"setgroups {string.Join(',', groups)}", SysSetgroups, groups.Count, (long)nativeGroups, tolerate: groups.Count == 0 ? Errno.EPERM : 0);
        var gid = user?.Gid ?? 0;
        var uid = user?.Uid ?? 0;
        plan.Syscall($"setresgid {gid}", SysSetresgid, gid, gid, gid);
        plan.Syscall($"setresuid {uid}", SysSetresuid, uid, uid, uid);
        plan.Syscall("prctl(PR_SET_KEEPCAPS, 0)", SysPrctl, Consts.PR_SET_KEEPCAPS, 0);

        if (caps is not null)
        {
            var effective = CapabilitySet.From(caps.Effective);
            var permitted = CapabilitySet.From(caps.Permitted);
            var inheritable = CapabilitySet.From(caps.Inheritable);
            var header = a.Struct<CapUserHeader>();
            header->Version = CapUserHeader.Version3;
            var data = (CapUserData*)a.Bytes(2 * sizeof(CapUserData));
            data[0] = new CapUserData { Effective = (uint)effective.Bits, Permitted = (uint)permitted.Bits, Inheritable = (uint)inheritable.Bits };
            data[1] = new CapUserData { Effective = (uint)(effective.Bits >> 32), Permitted = (uint)(permitted.Bits >> 32), Inheritable = (uint)(inheritable.Bits >> 32) };
            plan.Syscall("capset", SysCapset, (long)header, (long)data);
            // The kernel raises an ambient capability only if it is permitted and inheritable too; configs (crun's
            // own template among them) list ambient ones with an empty inheritable set, and runtimes skip those.
            foreach (var c in CapabilitySet.From(caps.Ambient).Numbers().Where(c => inheritable.Has(c) && permitted.Has(c)))
            {
                plan.Syscall($"raise ambient {CapabilitySet.NameOf(c)}", SysPrctl, Consts.PR_CAP_AMBIENT, Consts.PR_CAP_AMBIENT_RAISE, c);
            }
        }

        if (process.NoNewPrivileges == true)
        {
            plan.Syscall("prctl(PR_SET_NO_NEW_PRIVS)", SysPrctl, Consts.PR_SET_NO_NEW_PRIVS, 1);
        }

        // execve keeps ignored signals ignored and the blocked mask: the .NET runtime ignores SIGPIPE, and a
        // container process must start as it would under any other runtime, with every signal at its default.
        var defaultAction = a.Bytes(32);
        for (var signal = 1; signal <= 64; signal++)
        {
            if (signal is not (Consts.SIGKILL or Consts.SIGSTOP))
            {
                plan.Syscall($"reset signal {signal}", SysRtSigaction, signal, (long)defaultAction, 0, 8, tolerate: Errno.EINVAL);
            }
        }

        plan.Syscall("unblock all signals", SysRtSigprocmask, 2 /* SIG_SETMASK */, (long)a.Bytes(8), 0, 8);

        // Only stdio and the descriptors the caller asked to preserve cross into the container.
        plan.Syscall("close_range", SysCloseRange, 3 + preserveFds, uint.MaxValue, Consts.CLOSE_RANGE_CLOEXEC);
        for (var fd = 3; fd < 3 + preserveFds; fd++)
        {
            plan.Syscall($"keep fd {fd}", SysFcntl, fd, Consts.F_SETFD, 0);
        }

        if (filter is not null && filterLate)
        {
            Seccomp.SeccompSteps.AddLoad(plan, filter);
        }

        plan.Add(PlanOpCode.Exec, $"exec {process.Args![0]}", exec.Candidates, exec.Argv, exec.Envp);
    }
}
