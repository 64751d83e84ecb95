using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PSContainers.Runtime.Cgroups;
using PSContainers.Runtime.Processes;
using PSContainers.Runtime.Processes.Plan;
using PSContainers.Runtime.Spec;

namespace PSContainers.Runtime.Container;

/// <summary>The OCI runtime operations (create, start, state, kill, delete, exec, ...) on Linux.</summary>
public sealed class LinuxContainerRuntime
{
    private static readonly (string Type, int Flag)[] NamespaceFlags =
    {
        (LinuxNamespaceType.User, Consts.CLONE_NEWUSER), (LinuxNamespaceType.Pid, Consts.CLONE_NEWPID),
        (LinuxNamespaceType.Network, Consts.CLONE_NEWNET), (LinuxNamespaceType.Ipc, Consts.CLONE_NEWIPC),
        (LinuxNamespaceType.Uts, Consts.CLONE_NEWUTS), (LinuxNamespaceType.Mount, Consts.CLONE_NEWNS),
        (LinuxNamespaceType.Cgroup, Consts.CLONE_NEWCGROUP),
    };

    // /proc/PID/ns names in the order an exec joins them: user first (it grants the rights for the rest), mount last.
    private static readonly (string File, int Flag)[] ExecJoinOrder =
    {
        ("user", Consts.CLONE_NEWUSER), ("ipc", Consts.CLONE_NEWIPC), ("uts", Consts.CLONE_NEWUTS),
        ("net", Consts.CLONE_NEWNET), ("cgroup", Consts.CLONE_NEWCGROUP), ("mnt", Consts.CLONE_NEWNS),
    };

    private readonly ILogger _log;
    private readonly CgroupDriverOptions? _cgroupOptions;

    public LinuxContainerRuntime(string? root, ILogger? logger = null, CgroupDriverOptions? cgroupOptions = null)
    {
        Store = new ContainerStateStore(root);
        _log = logger ?? NullLogger.Instance;
        _cgroupOptions = cgroupOptions;
    }

    public ContainerStateStore Store { get; }

    public string SelfExecutable { get; init; } = "/proc/self/exe";

    private static readonly System.Diagnostics.Stopwatch Clock = System.Diagnostics.Stopwatch.StartNew();

    // Phase timings at debug level: what the create path spends its milliseconds on.
    public void Trace(string phase)
    {
        // Checked first: formatting the arguments of a disabled line still costs on every container start.
        if (_log.IsEnabled(LogLevel.Debug))
        {
            _log.LogDebug("{Elapsed:F1} ms: {Phase}", Clock.Elapsed.TotalMilliseconds, phase);
        }
    }

    private readonly Dictionary<string, ICgroupManager> _cgroups = new(StringComparer.Ordinal);

    // One manager per path for this runtime's life: finding the hierarchies means reading /proc/self/mountinfo.
    private ICgroupManager Cgroup(string path)
    {
        if (!_cgroups.TryGetValue(path, out var manager))
        {
            manager = CgroupManagerFactory.Create(path, _cgroupOptions);
            _cgroups[path] = manager;
        }

        return manager;
    }

    public ContainerRecord Create(string id, string bundle, CreateOptions options)
    {
        Trace("create");
        bundle = Path.GetFullPath(bundle);
        var spec = SpecLoader.Load(bundle, out var configText);
        Trace("config.json parsed");
        if (spec.Process is null)
        {
            throw new ContainerException("config.json has no process to run");
        }

        var namespaces = spec.Linux?.Namespaces ?? new List<LinuxNamespace>();
        if (!namespaces.Any(n => n.Type == LinuxNamespaceType.Uts))
        {
            // Without a uts namespace of its own the name would be the host's: refused, as runc refuses it.
            var field = !string.IsNullOrEmpty(spec.Hostname) ? "hostname" : !string.IsNullOrEmpty(spec.Domainname) ? "domainname" : null;
            if (field is not null)
            {
                throw new ContainerException($"{field} is set but linux.namespaces has no \"uts\" entry: the container shares the host's {field}; add {{\"type\": \"uts\"}} or remove {field}.");
            }
        }

        var hostMounts = !namespaces.Any(n => n.Type == LinuxNamespaceType.Mount);
        if (hostMounts)
        {
            RefuseMountsWithoutMountNamespace(spec);
        }

        if (namespaces.Any(n => n.Type == LinuxNamespaceType.Time))
        {
            throw new ContainerException("the time namespace is not supported by pscrun yet");
        }

        SysctlPolicy.Validate(spec);
        SpecConformance.CheckContainer(spec);
        if (spec.Linux?.Seccomp is { } seccomp)
        {
            // Compiled before anything is set up, so a profile pscrun cannot apply leaves nothing behind.
            Seccomp.SeccompCompiler.CompileCached(seccomp, _log);
        }

        if (!Directory.Exists(spec.Root!.Path))
        {
            throw new ContainerException($"rootfs {spec.Root.Path} does not exist or is not a directory");
        }

        var cgroupsPath = spec.Linux?.CgroupsPath;
        if (string.IsNullOrEmpty(cgroupsPath))
        {
            cgroupsPath = "/" + id;
        }
        else if (cgroupsPath.Contains(':'))
        {
            throw new ContainerException($"cgroupsPath \"{cgroupsPath}\" is in systemd form; pscrun drives cgroupfs only (use cgroup_manager = \"cgroupfs\")");
        }

            Trace("spec loaded");
        var dir = Store.Claim(id);
        var cleanup = new Stack<Action>();
        cleanup.Push(() => Store.Remove(id));
        var childPid = -1;
        try
        {
            var cgroup = Cgroup(cgroupsPath);
            cgroup.Create();
            cleanup.Push(() => cgroup.Remove());
            cleanup.Push(() => cgroup.Kill(Consts.SIGKILL));
            cgroup.Apply(ResourceMapper.MapForCreate(spec.Linux?.Resources, spec.Linux?.Devices));

            Trace("cgroup ready");
            var fifo = Store.FifoOf(id);
            Libc.Check(LibcFs.Mkfifo(fifo, 0x180), "mkfifo", fifo);
            if (RootHostIds(spec.Linux) is { } owner)
            {
                // The init reopens the fifo as the user namespace's root, which must own it.
                Libc.Check(Libc.Chown(fifo, owner.Uid, owner.Gid), "chown", fifo);
            }

            var fifoFd = Libc.Open(fifo, Consts.O_PATH | Consts.O_CLOEXEC, 0);
            Libc.Check(fifoFd, "open", fifo);
            cleanup.Push(() => Libc.Close(fifoFd));

            var consoleFd = -1;
            if (spec.Process.Terminal == true)
            {
                if (options.ConsoleSocketFd >= 0)
                {
                    consoleFd = Libc.Fcntl(options.ConsoleSocketFd, Consts.F_DUPFD_CLOEXEC, 3);
                    Libc.Check(consoleFd, "fcntl F_DUPFD_CLOEXEC", "console socket");
                }
                else if (string.IsNullOrEmpty(options.ConsoleSocket))
                {
                    throw new ContainerException("cannot allocate a terminal without --console-socket (process.terminal is true)");
                }
                else
                {
                    consoleFd = FdPassing.ConnectUnix(options.ConsoleSocket);
                }

                var c = consoleFd;
                cleanup.Push(() => Libc.Close(c));
            }

            var cloneFlags = 0;
            var ownPidNs = -1;
            var join = new List<(int Fd, int Type)>();
            bool newUser = false, newCgroup = false, newUts = false, newNet = false;
            foreach (var ns in namespaces)
            {
                var flag = NamespaceFlags.First(f => f.Type == ns.Type).Flag;
                if (string.IsNullOrEmpty(ns.Path))
                {
                    if (flag == Consts.CLONE_NEWCGROUP)
                    {
                        newCgroup = true;
                        continue;
                    }

                    newUser |= flag == Consts.CLONE_NEWUSER;
                    newUts |= flag == Consts.CLONE_NEWUTS;
                    newNet |= flag == Consts.CLONE_NEWNET;
                    cloneFlags |= flag;
                    continue;
                }

                var fd = Libc.Open(ns.Path, Consts.O_RDONLY | Consts.O_CLOEXEC, 0);
                Libc.Check(fd, $"open {ns.Type} namespace", ns.Path);
                cleanup.Push(() => Libc.Close(fd));
                if (flag == Consts.CLONE_NEWPID)
                {
                    // Joining a pid namespace only affects children, which a multi-threaded process may do.
                    ownPidNs = OpenOwnPidNamespace();
                    var own = ownPidNs;
                    cleanup.Push(() => Libc.Close(own));
                    cleanup.Push(() => RestorePidNamespace(own));
                    Libc.Check(Libc.Setns(fd, Consts.CLONE_NEWPID), "setns pid namespace", ns.Path);
                }
                else if (flag == Consts.CLONE_NEWUSER)
                {
                    join.Insert(0, (fd, flag));
                }
                else
                {
                    join.Add((fd, flag));
                }
            }

            Trace("namespaces opened");
            // A namespace the host owns cannot be joined from inside a new user namespace (setns needs CAP_SYS_ADMIN
            // over its owner): as runc does, join it before the user namespace exists. The clone inherits this
            // thread's namespaces; the thread goes back to its own right after.
            var parentJoined = new List<(int Own, int Type)>();
            if (newUser)
            {
                foreach (var j in join.Where(j => j.Type is Consts.CLONE_NEWNET or Consts.CLONE_NEWIPC or Consts.CLONE_NEWUTS).ToList())
                {
                    var name = j.Type == Consts.CLONE_NEWNET ? "net" : j.Type == Consts.CLONE_NEWIPC ? "ipc" : "uts";
                    var own = Libc.Open($"/proc/thread-self/ns/{name}", Consts.O_RDONLY | Consts.O_CLOEXEC, 0);
                    Libc.Check(own, "open", $"/proc/thread-self/ns/{name}");
                    cleanup.Push(() => Libc.Close(own));
                    parentJoined.Add((own, j.Type));
                    cleanup.Push(() => Libc.Setns(own, j.Type));
                    Libc.Check(Libc.Setns(j.Fd, j.Type), $"setns {name} namespace", name);
                    join.Remove(j);
                }
            }

            var rootfs = spec.Root!.Path;
            var becomeRoot = newUser || join.Any(j => j.Type == Consts.CLONE_NEWUSER);
            var copyUps = (spec.Mounts ?? []).Where(Mounts.TmpCopyUp.Wanted).Select(m => m.Destination).ToList();
            // The copy-up needs the same stop as the hooks: the init's mounts made, its root not yet pivoted.
            var hooksRoundTrip = spec.Hooks?.Prestart is { Count: > 0 } || spec.Hooks?.CreateRuntime is { Count: > 0 } || copyUps.Count > 0;
            var receiveState = spec.Hooks?.CreateContainer is { Count: > 0 } || spec.Hooks?.StartContainer is { Count: > 0 };
            var (parentEnd, childEnd) = SyncPair();
            var channel = new SyncChannel(parentEnd);
            cleanup.Push(() => channel.Dispose());
            cleanup.Push(() => Libc.Close(childEnd));
            using var plan = ContainerSetupPlanner.ForCreate(new CreatePlanInput
            {
                Spec = spec, Rootfs = rootfs, Bundle = bundle, SyncFd = childEnd, FifoFd = fifoFd, ConsoleFd = consoleFd,
                PreserveFds = options.PreserveFds, NewUserNamespace = newUser, NewCgroupNamespace = newCgroup,
                NewUtsNamespace = newUts, NewNetworkNamespace = newNet, NoPivot = options.NoPivot, NoNewKeyring = options.NoNewKeyring,
                HostMountNamespace = hostMounts,
                HooksRoundTrip = hooksRoundTrip, ReceiveState = receiveState, CgroupDirectories = cgroup.HierarchyDirectories,
            });
            Trace("plan built");
            var pid = ChildSpawner.SpawnWithPlan(cloneFlags, join, childEnd, becomeRoot, plan);
            RestorePidNamespace(ownPidNs);
            foreach (var (own, type) in parentJoined)
            {
                Libc.Check(Libc.Setns(own, type), "setns", "own namespace");
            }

            Libc.Close(childEnd);
            cleanup.Pop();
            Trace("child cloned");
            childPid = pid;
            cleanup.Push(() => ReapQuietly(pid));
            if (newUser)
            {
                WriteIdMaps(pid, spec.Linux!);
            }

            cgroup.AddProcess(pid);
            Trace("maps and cgroup join done");
            ReleaseChild(channel);
            if (receiveState)
            {
                channel.Send(SyncChannel.Config, StateJson(spec, id, ContainerStatus.Created, pid, bundle));
            }

            if (hooksRoundTrip)
            {
                ExpectFromChild(channel, SyncChannel.HooksReady, plan);
                Trace("rootfs mounted");
                foreach (var destination in copyUps)
                {
                    Mounts.TmpCopyUp.Copy(rootfs, destination, pid);
                }

                // The spec's lifecycle runs these hooks once the container exists: its state is "created".
                var created = StateJson(spec, id, ContainerStatus.Created, pid, bundle);
                HookRunner.Run(spec.Hooks?.Prestart, created, "prestart");
                HookRunner.Run(spec.Hooks?.CreateRuntime, created, "createRuntime");
                channel.Send(SyncChannel.HooksDone);
            }

            ExpectFromChild(channel, SyncChannel.Created, plan);
            channel.Dispose();
            Trace("init created");
            var record = new ContainerRecord
            {
                Id = id, Pid = pid, PidStartTime = ProcStat.StartTime(pid) ?? 0, Bundle = bundle, Rootfs = rootfs,
                Created = DateTimeOffset.UtcNow, CgroupsPath = cgroupsPath, Owner = OwnerName(),
            };
            record.SetConfig(spec, configText);
            Store.Save(record);
            if (!string.IsNullOrEmpty(options.PidFile))
            {
                WriteAtomically(options.PidFile, pid.ToString(CultureInfo.InvariantCulture));
            }

            Libc.Close(fifoFd);
            if (consoleFd >= 0)
            {
                Libc.Close(consoleFd);
            }

            _log.LogDebug("created container {Id} with init pid {Pid}", id, pid);
            return record;
        }
        catch (Exception e)
        {
            _log.LogDebug("create of {Id} failed, undoing: {Error}", id, e.Message);
            while (cleanup.Count > 0)
            {
                try
                {
                    cleanup.Pop()();
                }
                catch (Exception undo)
                {
                    _log.LogWarning("cleanup after a failed create of {Id}: {Error}", id, undo.Message);
                }
            }

            if (childPid > 0 && e is EndOfStreamException)
            {
                throw new ContainerException("the container's init exited before the container was created");
            }

            throw;
        }
    }

    // The spec lets a container share the runtime's mount namespace; whatever would mount then would mount on the
    // host, for everyone, and outlive the container: refused by name instead.
    private static void RefuseMountsWithoutMountNamespace(Spec.Spec spec)
    {
        var field = spec.Mounts is { Count: > 0 } ? "mounts"
            : spec.Linux?.Devices is { Count: > 0 } ? "linux.devices"
            : spec.Linux?.MaskedPaths is { Count: > 0 } ? "linux.maskedPaths"
            : spec.Linux?.ReadonlyPaths is { Count: > 0 } ? "linux.readonlyPaths"
            : spec.Root?.Readonly == true ? "root.readonly"
            : !string.IsNullOrEmpty(spec.Linux?.RootfsPropagation) ? "linux.rootfsPropagation"
            : null;
        if (field is not null)
        {
            throw new ContainerException($"{field} needs a mount namespace: without one the container shares the host's mounts, and pscrun will not change them; add {{\"type\": \"mount\"}} to linux.namespaces or remove {field}.");
        }
    }

    private static unsafe void SetAffinity(int pid, string? cpus, string field)
    {
        if (string.IsNullOrEmpty(cpus))
        {
            return;
        }

        var mask = CpuAffinityMask.Parse(cpus, field);
        fixed (byte* p = mask)
        {
            if (Libc.SchedSetaffinity(pid, mask.Length, p) != 0)
            {
                throw new ContainerException($"{field} \"{cpus}\": sched_setaffinity failed: {Errno.Name(Libc.LastErrno)} (a CPU outside this machine or the container's cpuset?)");
            }
        }
    }

    private static unsafe (int Parent, int Child) SyncPair()
    {
        var pair = stackalloc int[2];
        Libc.Check(Libc.SocketPair(Consts.AF_UNIX, Consts.SOCK_STREAM | Consts.SOCK_CLOEXEC, 0, pair), "socketpair", "sync channel");
        return (pair[0], pair[1]);
    }

    private unsafe int Spawn(int cloneFlags, List<(int Fd, int Type)> join, string verb, int[] inheritFds, bool becomeRoot, out SyncChannel channel)
    {
        var pair = stackalloc int[2];
        Libc.Check(Libc.SocketPair(Consts.AF_UNIX, Consts.SOCK_STREAM | Consts.SOCK_CLOEXEC, 0, pair), "socketpair", "sync channel");
        var parentEnd = pair[0];
        var childEnd = pair[1];
        var exe = -1;
        try
        {
            exe = SelfImage.CreateSealedCopy();
            // These descriptors cross execve into the init; everything else we hold is close-on-exec.
            Libc.Fcntl(childEnd, Consts.F_SETFD, 0);
            foreach (var fd in inheritFds.Where(f => f >= 0))
            {
                Libc.Fcntl(fd, Consts.F_SETFD, 0);
            }

            // The child is visible in the container's pid namespace from clone to execveat, and until then its
            // /proc/PID/exe is the host's pscrun: it inherits "not dumpable" from us, so the container cannot open it.
            Libc.Check(Libc.Prctl(Consts.PR_SET_DUMPABLE, 0, 0, 0, 0), "prctl(PR_SET_DUMPABLE, 0)");
            var env = new List<string> { ContainerInit.SyncFdVariable + "=" + childEnd.ToString(CultureInfo.InvariantCulture) };
            var pid = ChildSpawner.Spawn(cloneFlags, join, childEnd, exe, new[] { "pscrun", verb }, env, becomeRoot);
            channel = new SyncChannel(parentEnd);
            return pid;
        }
        catch
        {
            Libc.Close(parentEnd);
            throw;
        }
        finally
        {
            Libc.Close(childEnd);
            if (exe >= 0)
            {
                Libc.Close(exe);
            }

            foreach (var fd in inheritFds.Where(f => f >= 0))
            {
                Libc.Fcntl(fd, Consts.F_SETFD, Consts.FD_CLOEXEC);
            }
        }
    }

    /// <summary>Whether the user namespace usernsFd owns the namespace nsFd (ioctl NS_GET_USERNS, then the inodes).</summary>
    private static unsafe bool OwnedBy(int nsFd, int usernsFd)
    {
        const ulong nsGetUserns = 0xb701;
        var owner = Libc.Ioctl(nsFd, nsGetUserns, null);
        if (owner < 0)
        {
            // Not known (an old kernel): as before, joined after the user namespace.
            return true;
        }

        try
        {
            var empty = stackalloc byte[1];
            empty[0] = 0;
            return LibcAt.FstatAt(owner, empty, Consts.AT_EMPTY_PATH, out var a) && LibcAt.FstatAt(usernsFd, empty, Consts.AT_EMPTY_PATH, out var b)
                && a.Dev == b.Dev && a.Ino == b.Ino;
        }
        finally
        {
            Libc.Close(owner);
        }
    }

    /// <summary>The host uid and gid that are root inside a new user namespace, or null without one.</summary>
    private static (uint Uid, uint Gid)? RootHostIds(Linux? linux)
    {
        if (linux?.Namespaces?.Any(n => n.Type == LinuxNamespaceType.User && string.IsNullOrEmpty(n.Path)) != true)
        {
            return null;
        }

        static uint? Map(List<LinuxIdMapping>? maps) =>
            maps?.FirstOrDefault(m => m.ContainerId == 0 && m.Size > 0)?.HostId;

        return Map(linux.UidMappings) is { } uid && Map(linux.GidMappings) is { } gid ? (uid, gid) : null;
    }

    // Environment.UserName goes through NSS (nsswitch.conf, passwd, maybe a dlopen): milliseconds on every create.
    private static string OwnerName()
    {
        var uid = Libc.GetEuid();
        return uid == 0 ? "root" : uid.ToString(CultureInfo.InvariantCulture);
    }

    private static int OpenOwnPidNamespace()
    {
        var fd = Libc.Open("/proc/self/ns/pid", Consts.O_RDONLY | Consts.O_CLOEXEC, 0);
        Libc.Check(fd, "open", "/proc/self/ns/pid");
        return fd;
    }

    /// <summary>Goes back to our own pid namespace for children: while another is set, no thread can be created.</summary>
    private static void RestorePidNamespace(int ownPidNs)
    {
        if (ownPidNs >= 0)
        {
            Libc.Check(Libc.Setns(ownPidNs, Consts.CLONE_NEWPID), "setns", "own pid namespace");
        }
    }

    private static unsafe void ReleaseChild(SyncChannel channel)
    {
        byte go = SyncChannel.Go;
        Libc.Check((long)Libc.Write(channel.Fd, &go, 1), "write", "sync channel");
    }

    private static void ExpectFromChild(SyncChannel channel, byte type, SetupPlan? plan = null)
    {
        var frame = channel.Receive() ?? throw new EndOfStreamException("the container process exited before it was ready");
        if (frame.Type == SyncChannel.ChildFailed)
        {
            var parts = frame.Text.Split(':');
            var step = int.Parse(parts[0], CultureInfo.InvariantCulture);
            var errno = int.Parse(parts[1], CultureInfo.InvariantCulture);
            if (plan is not null && step >= ChildSpawner.StepPlanBase)
            {
                throw new ContainerException(plan.Describe(step - ChildSpawner.StepPlanBase, errno))
                {
                    StartExitCode = plan.StartExitCode(step - ChildSpawner.StepPlanBase, errno),
                };
            }

            var what = step switch
            {
                ChildSpawner.StepRead => "waiting for the runtime",
                ChildSpawner.StepExec => "execveat of the pscrun image",
                ChildSpawner.StepSetResGid => "setresgid to root of the user namespace",
                ChildSpawner.StepSetResUid => "setresuid to root of the user namespace",
                _ => $"setns of namespace #{step - ChildSpawner.StepSetnsBase + 1}",
            };
            throw new SyscallException(what, null, errno);
        }

        if (frame.Type == SyncChannel.Error)
        {
            throw new ContainerException(frame.Text);
        }

        if (frame.Type != type)
        {
            throw new ContainerException($"unexpected message '{(char)frame.Type}' from the container process");
        }
    }

    private static void WriteIdMaps(int pid, Linux linux)
    {
        static string Lines(List<LinuxIdMapping>? maps) =>
            string.Concat((maps ?? new List<LinuxIdMapping>()).Select(m => $"{m.ContainerId} {m.HostId} {m.Size}\n"));

        var uid = Lines(linux.UidMappings);
        var gid = Lines(linux.GidMappings);
        if (uid.Length == 0 || gid.Length == 0)
        {
            throw new ContainerException("a new user namespace needs linux.uidMappings and linux.gidMappings");
        }

        try
        {
            File.WriteAllText($"/proc/{pid}/uid_map", uid);
            File.WriteAllText($"/proc/{pid}/gid_map", gid);
        }
        catch (IOException e)
        {
            throw new ContainerException($"writing the user namespace id mappings of pid {pid}: {e.Message}", e);
        }
    }

    private static void ReapQuietly(int pid)
    {
        Libc.Kill(pid, Consts.SIGKILL);
        unsafe
        {
            int status;
            Libc.WaitPid(pid, &status, 0);
        }
    }

    public void Start(string id) => Start(Store.Load(id));

    public void Start(ContainerRecord record)
    {
        var id = record.Id;
        var status = StatusOf(record);
        if (status != ContainerStatus.Created)
        {
            throw new ContainerException($"cannot start a container that is {status}");
        }

        var fifo = Store.FifoOf(id);
        var fd = Libc.Open(fifo, Consts.O_RDONLY | Consts.O_NONBLOCK | Consts.O_CLOEXEC, 0);
        Libc.Check(fd, "open", fifo);
        try
        {
            WaitForStartByte(fd, record);
        }
        finally
        {
            Libc.Close(fd);
        }

        File.Delete(fifo);
        try
        {
            // The state document costs serializer set-up; only hooks read it.
            if (record.Spec.Hooks?.Poststart is { Count: > 0 } poststart)
            {
                HookRunner.RunEach(poststart, StateJson(record, ContainerStatus.Running), "poststart", m => _log.LogWarning("{Error}", m));
            }
        }
        catch (Exception e)
        {
            _log.LogWarning("{Error}", e.Message);
        }
    }

    private static unsafe void WaitForStartByte(int fd, ContainerRecord record)
    {
        var pfd = new PollFd { Fd = fd, Events = Consts.POLLIN };
        while (true)
        {
            var rc = Libc.Poll(&pfd, 1, 50);
            if (rc > 0 && (pfd.REvents & Consts.POLLIN) != 0)
            {
                byte b;
                if (Libc.Read(fd, &b, 1) == 1)
                {
                    return;
                }
            }

            if (!ProcStat.IsAlive(record.Pid, record.PidStartTime))
            {
                throw new ContainerException($"container \"{record.Id}\" exited before it was started");
            }
        }
    }

    public string StatusOf(ContainerRecord record)
    {
        if (!ProcStat.IsAlive(record.Pid, record.PidStartTime))
        {
            return ContainerStatus.Stopped;
        }

        if (File.Exists(Store.FifoOf(record.Id)))
        {
            return ContainerStatus.Created;
        }

        try
        {
            if (Cgroup(record.CgroupsPath).GetFreezerState() is CgroupFreezerState.Frozen or CgroupFreezerState.Freezing)
            {
                return ContainerStatus.Paused;
            }
        }
        catch (CgroupException)
        {
            // No freezer to ask: it cannot be paused.
        }

        return ContainerStatus.Running;
    }

    public State State(string id) => StateOf(Store.Load(id));

    public State StateOf(ContainerRecord record)
    {
        var status = StatusOf(record);
        var annotations = record.Annotations;
        try
        {
            if (Cgroup(record.CgroupsPath).OomKilled())
            {
                annotations = new Dictionary<string, string>(annotations ?? []) { ["io.pscontainers.oom-killed"] = "true" };
            }
        }
        catch (CgroupException)
        {
            // No cgroup to ask: no OOM kill to report.
        }

        return new State
        {
            OciVersion = record.OciVersion,
            Id = record.Id,
            Status = status,
            Pid = status == ContainerStatus.Stopped ? 0 : record.Pid,
            Bundle = record.Bundle,
            Annotations = annotations,
        };
    }

    public IEnumerable<ContainerRecord> List()
    {
        foreach (var id in Store.Ids())
        {
            ContainerRecord? record = null;
            try
            {
                record = Store.Load(id);
            }
            catch (ContainerException)
            {
                // Being deleted right now.
            }

            if (record is not null)
            {
                yield return record;
            }
        }
    }

    public void Kill(string id, int signal, bool all)
    {
        var record = Store.Load(id);
        var status = StatusOf(record);
        if (status == ContainerStatus.Stopped && !all)
        {
            throw new ContainerException("container not running");
        }

        if (all)
        {
            var cgroup = Cgroup(record.CgroupsPath);
            if (signal == Consts.SIGKILL && status == ContainerStatus.Paused)
            {
                cgroup.Thaw();
            }

            cgroup.Kill(signal);
            return;
        }

        Libc.Check(Libc.Kill(record.Pid, signal), "kill", record.Pid.ToString(CultureInfo.InvariantCulture));
    }

    public void Delete(string id, bool force) => Delete(Store.Load(id), force);

    public void Delete(ContainerRecord record, bool force)
    {
        var id = record.Id;
        var status = StatusOf(record);
        if (status is ContainerStatus.Running or ContainerStatus.Paused && !force)
        {
            throw new ContainerException($"cannot delete container {id} that is not stopped: {status}");
        }

        var cgroup = Cgroup(record.CgroupsPath);
        if (status != ContainerStatus.Stopped)
        {
            if (status == ContainerStatus.Paused)
            {
                cgroup.Thaw();
            }

            Libc.Kill(record.Pid, Consts.SIGKILL);
            cgroup.Kill(Consts.SIGKILL);
            WaitUntilGone(record, TimeSpan.FromSeconds(10));
        }
        else
        {
            // A pid namespace dies with its init, but without one, processes may linger in the cgroup.
            cgroup.Kill(Consts.SIGKILL);
        }

        cgroup.Remove();
        try
        {
            if (record.Spec.Hooks?.Poststop is { Count: > 0 } poststop)
            {
                HookRunner.RunEach(poststop, StateJson(record, ContainerStatus.Stopped), "poststop", m => _log.LogWarning("{Error}", m));
            }
        }
        catch (Exception e)
        {
            _log.LogWarning("{Error}", e.Message);
        }

        Store.Remove(id);
    }

    private static void WaitUntilGone(ContainerRecord record, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (ProcStat.IsAlive(record.Pid, record.PidStartTime))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new ContainerException($"container \"{record.Id}\" init (pid {record.Pid}) did not exit after SIGKILL");
            }

            Thread.Sleep(2);
        }
    }

    public void Pause(string id)
    {
        var record = Store.Load(id);
        if (StatusOf(record) != ContainerStatus.Running)
        {
            throw new ContainerException("container not running");
        }

        Cgroup(record.CgroupsPath).Freeze();
    }

    public void Resume(string id)
    {
        var record = Store.Load(id);
        if (StatusOf(record) != ContainerStatus.Paused)
        {
            throw new ContainerException("container not paused");
        }

        Cgroup(record.CgroupsPath).Thaw();
    }

    public IReadOnlyList<int> Pids(string id)
    {
        var record = Store.Load(id);
        return Cgroup(record.CgroupsPath).GetPids();
    }

    public CgroupStats Stats(string id) => Cgroup(Store.Load(id).CgroupsPath).GetStats();

    public bool OomKilled(string id) => Cgroup(Store.Load(id).CgroupsPath).OomKilled();

    public void Update(string id, LinuxResources resources)
    {
        var record = Store.Load(id);
        if (StatusOf(record) == ContainerStatus.Stopped)
        {
            throw new ContainerException("container not running");
        }

        Cgroup(record.CgroupsPath).Apply(ResourceMapper.Map(resources));
        var spec = record.Spec;
        spec.Linux ??= new Linux();
        spec.Linux.Resources = Merge(spec.Linux.Resources, resources);
        record.Spec = spec;
        Store.Save(record);
    }

    private static LinuxResources Merge(LinuxResources? old, LinuxResources update)
    {
        if (old is null)
        {
            return update;
        }

        old.Memory = update.Memory ?? old.Memory;
        old.Cpu = update.Cpu ?? old.Cpu;
        old.Pids = update.Pids ?? old.Pids;
        old.BlockIo = update.BlockIo ?? old.BlockIo;
        old.Unified = update.Unified ?? old.Unified;
        return old;
    }

    /// <summary>Runs a process inside a running container; returns its exit code, or 0 when detached.</summary>
    public int Exec(string id, Spec.Process process, ExecOptions options, Action<int>? started = null)
    {
        var record = Store.Load(id);
        var status = StatusOf(record);
        if (status is not (ContainerStatus.Running or ContainerStatus.Created))
        {
            throw new ContainerException($"cannot exec in a container that is {status}");
        }

        if (process.Args is null || process.Args.Count == 0)
        {
            throw new ContainerException("exec needs a command (process.args is empty)");
        }

        SpecConformance.CheckProcess(process);

        var opened = new List<int>();
        var consoleFd = -1;
        var ownPidNs = -1;
        var mountNs = -1;
        try
        {
            var join = new List<(int Fd, int Type)>();
            var joinedUser = false;
            foreach (var (file, flag) in ExecJoinOrder.Prepend(("pid", Consts.CLONE_NEWPID)))
            {
                var theirs = $"/proc/{record.Pid}/ns/{file}";
                string target;
                try
                {
                    target = new FileInfo(theirs).LinkTarget ?? "";
                }
                catch (IOException)
                {
                    continue;
                }

                var ours = new FileInfo($"/proc/self/ns/{file}").LinkTarget;
                if (target.Length == 0 || target == ours)
                {
                    continue;
                }

                var fd = Libc.Open(theirs, Consts.O_RDONLY | Consts.O_CLOEXEC, 0);
                Libc.Check(fd, "open", theirs);
                opened.Add(fd);
                if (flag == Consts.CLONE_NEWPID)
                {
                    ownPidNs = OpenOwnPidNamespace();
                    opened.Add(ownPidNs);
                    Libc.Check(Libc.Setns(fd, Consts.CLONE_NEWPID), "setns", theirs);
                }
                else if (flag == Consts.CLONE_NEWNS)
                {
                    // Joined by the exec'd image itself: the dynamic loader must still find the host's files.
                    mountNs = fd;
                }
                else
                {
                    joinedUser |= flag == Consts.CLONE_NEWUSER;
                    join.Add((fd, flag));
                }
            }

            if (process.Terminal == true)
            {
                if (string.IsNullOrEmpty(options.ConsoleSocket))
                {
                    throw new ContainerException("cannot allocate a terminal without --console-socket");
                }

                consoleFd = FdPassing.ConnectUnix(options.ConsoleSocket);
            }

            // A namespace the container's user namespace does not own (the engine's network namespace) cannot be
            // joined once inside it: this thread joins it first, and the child inherits it.
            var parentJoined = new List<(int Own, int Type)>();
            if (joinedUser)
            {
                var userFd = join.First(j => j.Type == Consts.CLONE_NEWUSER).Fd;
                foreach (var j in join.Where(j => j.Type is Consts.CLONE_NEWNET or Consts.CLONE_NEWIPC or Consts.CLONE_NEWUTS && !OwnedBy(j.Fd, userFd)).ToList())
                {
                    var name = j.Type == Consts.CLONE_NEWNET ? "net" : j.Type == Consts.CLONE_NEWIPC ? "ipc" : "uts";
                    var own = Libc.Open($"/proc/thread-self/ns/{name}", Consts.O_RDONLY | Consts.O_CLOEXEC, 0);
                    Libc.Check(own, "open", $"/proc/thread-self/ns/{name}");
                    opened.Add(own);
                    Libc.Check(Libc.Setns(j.Fd, j.Type), $"setns {name} namespace", name);
                    parentJoined.Add((own, j.Type));
                    join.Remove(j);
                }
            }

            int pid;
            SyncChannel channel;
            try
            {
                pid = Spawn(0, join, "exec-init", new[] { consoleFd, mountNs }, joinedUser, out channel);
            }
            finally
            {
                foreach (var (own, type) in parentJoined)
                {
                    Libc.Setns(own, type);
                }
            }

            RestorePidNamespace(ownPidNs);
            using (channel)
            {
                try
                {
                    // initial: where the process runs while it joins; final: where it stays, once the cgroup's
                    // cpuset has reset its affinity on the join.
                    SetAffinity(pid, process.ExecCpuAffinity?.Initial, "process.execCPUAffinity.initial");
                    Cgroup(record.CgroupsPath).AddProcess(pid);
                    SetAffinity(pid, process.ExecCpuAffinity?.Final, "process.execCPUAffinity.final");
                    ReleaseChild(channel);
                    var config = new InitConfig
                    {
                        Id = id, Exec = true, Pid = pid, PreserveFds = options.PreserveFds, ConsoleSocketFd = consoleFd,
                        MountNamespaceFd = mountNs,
                        // The container's seccomp filter binds exec'd processes too, as with runc.
                        Spec = new Spec.Spec
                        {
                            OciVersion = record.Spec.OciVersion, Process = process,
                            Linux = record.Spec.Linux?.Seccomp is { } seccomp ? new Spec.Linux { Seccomp = seccomp } : null,
                        },
                    };
                    channel.Send(SyncChannel.Config, JsonSerializer.Serialize(config, RuntimeJsonContext.Default.InitConfig));
                    ExpectFromChild(channel, SyncChannel.Created);
                }
                catch
                {
                    ReapQuietly(pid);
                    throw;
                }
            }

            if (!string.IsNullOrEmpty(options.PidFile))
            {
                WriteAtomically(options.PidFile, pid.ToString(CultureInfo.InvariantCulture));
            }

            started?.Invoke(pid);
            return options.Detach ? 0 : WaitForExit(pid);
        }
        finally
        {
            RestorePidNamespace(ownPidNs);
            foreach (var fd in opened)
            {
                Libc.Close(fd);
            }

            if (consoleFd >= 0)
            {
                Libc.Close(consoleFd);
            }
        }
    }

    /// <summary>Waits for a child of this process; returns its exit code, or 128+signal as shells do.</summary>
    public static unsafe int WaitForExit(int pid)
    {
        int status;
        while (true)
        {
            var rc = Libc.WaitPid(pid, &status, 0);
            if (rc == pid)
            {
                break;
            }

            if (rc < 0 && Libc.LastErrno != Errno.EINTR)
            {
                throw new SyscallException("waitpid", pid.ToString(CultureInfo.InvariantCulture), Libc.LastErrno);
            }
        }

        return ExitCodeOf(status);
    }

    /// <summary>A wait status as a shell reports it: the exit code, or 128 + the signal that killed the process.</summary>
    public static int ExitCodeOf(int status)
    {
        var signal = status & 0x7f;
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
    }

    private static string StateJson(ContainerRecord record, string status) =>
        StateJson(record.Spec, record.Id, status, record.Pid, record.Bundle);

    private static string StateJson(Spec.Spec spec, string id, string status, int pid, string bundle) =>
        JsonSerializer.Serialize(
            new State { OciVersion = spec.OciVersion, Id = id, Status = status, Pid = pid, Bundle = bundle, Annotations = spec.Annotations },
            SpecJsonContext.Default.State);

    private static void WriteAtomically(string path, string text)
    {
        var full = Path.GetFullPath(path);
        var temp = full + ".tmp" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        File.WriteAllText(temp, text);
        File.Move(temp, full, overwrite: true);
    }

    /// <summary>The cgroup manager of a container, for readers such as ContainerEventSource.</summary>
    public ICgroupManager CgroupOf(ContainerRecord record) => Cgroup(record.CgroupsPath);
}
