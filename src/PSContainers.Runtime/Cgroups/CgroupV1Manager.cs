using System.Globalization;
using Microsoft.Extensions.Logging;

namespace PSContainers.Runtime.Cgroups;

// cgroup v1 (legacy and hybrid hosts): one directory per mounted hierarchy, and a
// controller's files live in the directory of the hierarchy that carries it.
internal sealed class CgroupV1Manager : ICgroupManager
{
    private readonly IReadOnlyList<(CgroupHierarchy Hierarchy, string Directory)> _directories;
    private readonly CgroupDriverOptions _options;
    private readonly ILogger _logger;

    public CgroupV1Manager(string path, IReadOnlyList<(CgroupHierarchy, string)> directories, CgroupDriverOptions options, ILogger logger)
    {
        Path = path;
        _directories = directories;
        _options = options;
        _logger = logger;
    }

    public string Path { get; }

    /// <summary>Sees every value written, in order (tests check write order on a fake tree).</summary>
    internal Action<string, string>? WriteObserver { get; set; }

    private void Write(string path, string value)
    {
        CgroupFile.Write(path, value);
        WriteObserver?.Invoke(path, value);
    }

    private void Write(string path, long value) => Write(path, CgroupFile.Format(value));

    public bool Exists => _directories.Any(d => Directory.Exists(d.Directory));

    public IReadOnlyList<CgroupHierarchyDirectory> HierarchyDirectories =>
        _directories.Select(d => new CgroupHierarchyDirectory(System.IO.Path.GetFileName(d.Hierarchy.MountPoint.TrimEnd('/')), d.Directory, false)).ToList();

    public ulong OomKillCount =>
        Dir("memory") is string memory && CgroupFile.ReadKeyValues(Join(memory, "memory.oom_control")).TryGetValue("oom_kill", out ulong n) ? n : 0;

    /// <summary>The directory of the hierarchy carrying the controller, or null when the host lacks it.</summary>
    internal string? Dir(string controller)
    {
        foreach ((CgroupHierarchy h, string d) in _directories)
        {
            if (h.Has(controller))
            {
                return d;
            }
        }

        return null;
    }

    public void Create()
    {
        foreach ((CgroupHierarchy h, string d) in _directories)
        {
            try
            {
                Directory.CreateDirectory(d);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CgroupException($"Cannot create cgroup directory {d}: {e.Message}", d, null, 0, e);
            }

            if (h.Has("cpuset"))
            {
                CopyCpusetDown(h.MountPoint, d);
            }
        }
    }

    // A new cpuset cgroup starts with empty cpus and mems, and the kernel refuses tasks
    // (ENOSPC) until both are set, so every level inherits its parent's values.
    private void CopyCpusetDown(string mountPoint, string leaf)
    {
        string relative = System.IO.Path.GetRelativePath(mountPoint, leaf);
        if (relative == ".")
        {
            return;
        }

        string parent = mountPoint;
        foreach (string segment in relative.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            string current = Join(parent, segment);
            foreach (string file in new[] { "cpuset.cpus", "cpuset.mems" })
            {
                if (CgroupFile.TryRead(Join(current, file)) is "")
                {
                    Write(Join(current, file), CgroupFile.Read(Join(parent, file)));
                }
            }

            parent = current;
        }
    }

    public void AddProcess(int pid)
    {
        foreach ((CgroupHierarchy h, string d) in _directories)
        {
            if (h.Has("cpuset"))
            {
                CopyCpusetDown(h.MountPoint, d);
            }

            Write(Join(d, "cgroup.procs"), pid);
        }
    }

    public void Apply(CgroupResources r)
    {
        CgroupResourceValidator.Validate(r);
        if (r.Unified is { Count: > 0 })
        {
            throw new CgroupException("Unified (cgroup v2) resources were given but this host uses cgroup v1; remove them or run on a cgroup v2 host.");
        }

        HugePageSizes.Validate(r.HugepageLimits);
        // Refused before the first write: a config asking for a controller the host lacks changes nothing.
        if (r.Network?.ClassId is not null)
        {
            Require("net_cls", "linux.resources.network.classID");
        }

        if (r.Network?.Priorities is { Count: > 0 })
        {
            Require("net_prio", "linux.resources.network.priorities");
        }

        if (r.Cpu is { } cpu)
        {
            ApplyCpuset(cpu);
            ApplyCpu(cpu);
            ApplyCpuExtras(cpu);
        }

        if (r.Memory is { } memory)
        {
            ApplyMemory(memory);
        }

        if (r.Pids is { Limit: long limit })
        {
            string dir = Require("pids", "a pids limit");
            Write(Join(dir, "pids.max"), limit > 0 ? CgroupFile.Format(limit) : "max");
        }

        if (r.BlockIo is { } blockIo)
        {
            ApplyBlockIo(blockIo);
        }

        if (r.Devices is { } devices)
        {
            ApplyDevices(devices);
        }

        ApplyHugetlb(r.HugepageLimits);
        ApplyNetwork(r.Network);
    }

    // Files a kernel may lack (a config option, an older kernel): a clear refusal instead of an ENOENT on write.
    private string RequireFile(string controller, string file, string what)
    {
        string path = Join(Require(controller, what), file);
        if (!File.Exists(path))
        {
            throw new CgroupException($"The resources ask for {what}, but this kernel has no {file} in its {controller} hierarchy ({path}).");
        }

        return path;
    }

    private void ApplyCpuExtras(CpuResources cpu)
    {
        if (cpu.Burst is ulong burst)
        {
            Write(RequireFile("cpu", "cpu.cfs_burst_us", "linux.resources.cpu.burst"), CgroupFile.Format(burst));
        }

        if (cpu.RealtimePeriod is not null || cpu.RealtimeRuntime is not null)
        {
            string what = "linux.resources.cpu.realtimeRuntime/realtimePeriod (needs CONFIG_RT_GROUP_SCHED)";
            string periodFile = RequireFile("cpu", "cpu.rt_period_us", what);
            string runtimeFile = RequireFile("cpu", "cpu.rt_runtime_us", what);
            string? period = cpu.RealtimePeriod is ulong p && p != 0 ? CgroupFile.Format(p) : null;
            string? runtime = cpu.RealtimeRuntime is long rt ? CgroupFile.Format(rt) : null;
            // The kernel checks the runtime against the current period and the parent's budget: a shorter period with
            // a smaller runtime must go runtime first, a longer one period first; try one order, then the other.
            try
            {
                if (period is not null)
                {
                    Write(periodFile, period);
                }

                if (runtime is not null)
                {
                    Write(runtimeFile, runtime);
                }
            }
            catch (CgroupException) when (period is not null && runtime is not null)
            {
                Write(runtimeFile, runtime);
                Write(periodFile, period);
            }
        }

        if (cpu.Idle is long idle)
        {
            Write(RequireFile("cpu", "cpu.idle", "linux.resources.cpu.idle (kernel 5.15 or later)"), idle);
        }
    }

    private void ApplyHugetlb(IReadOnlyList<HugepageLimit>? limits)
    {
        foreach (HugepageLimit limit in limits ?? [])
        {
            string file = RequireFile("hugetlb", $"hugetlb.{limit.PageSize}.limit_in_bytes", $"a hugetlb limit for {limit.PageSize} pages");
            Write(file, CgroupFile.Format(limit.Limit));
        }
    }

    private void ApplyNetwork(NetworkResources? network)
    {
        if (network?.ClassId is uint classId)
        {
            string dir = Require("net_cls", "linux.resources.network.classID");
            Write(Join(dir, "net_cls.classid"), CgroupFile.Format(classId));
        }

        foreach (InterfacePriority p in network?.Priorities ?? [])
        {
            string dir = Require("net_prio", "linux.resources.network.priorities");
            Write(Join(dir, "net_prio.ifpriomap"), string.Create(CultureInfo.InvariantCulture, $"{p.Interface} {p.Priority}"));
        }
    }

    private string Require(string controller, string what) =>
        Dir(controller) ?? throw new CgroupException(
            $"The resources ask for {what}, but the {controller} controller is not available on this host (no cgroup v1 hierarchy for it is mounted).");

    private void ApplyCpuset(CpuResources cpu)
    {
        if (cpu.Cpus is null && cpu.Mems is null)
        {
            return;
        }

        string dir = Require("cpuset", "a cpuset");
        if (cpu.Cpus is not null)
        {
            Write(Join(dir, "cpuset.cpus"), cpu.Cpus);
        }

        if (cpu.Mems is not null)
        {
            Write(Join(dir, "cpuset.mems"), cpu.Mems);
        }
    }

    private void ApplyCpu(CpuResources cpu)
    {
        if (cpu.Shares is null && cpu.Quota is null && cpu.Period is null)
        {
            return;
        }

        string dir = Require("cpu", "CPU shares or quota");
        if (cpu.Shares is ulong shares && shares != 0)
        {
            Write(Join(dir, "cpu.shares"), CgroupFile.Format(shares));
        }

        string? quota = cpu.Quota is long q ? CgroupFile.Format(q > 0 ? q : -1) : null;
        string? period = cpu.Period is ulong p && p != 0 ? CgroupFile.Format(p) : null;
        if (period is not null && quota is not null)
        {
            // The kernel checks quota against the current period (and its parent's budget),
            // so when one order is refused the other one usually is accepted.
            try
            {
                Write(Join(dir, "cpu.cfs_period_us"), period);
            }
            catch (CgroupException)
            {
                Write(Join(dir, "cpu.cfs_quota_us"), quota);
                Write(Join(dir, "cpu.cfs_period_us"), period);
                return;
            }

            Write(Join(dir, "cpu.cfs_quota_us"), quota);
        }
        else if (period is not null)
        {
            Write(Join(dir, "cpu.cfs_period_us"), period);
        }
        else if (quota is not null)
        {
            Write(Join(dir, "cpu.cfs_quota_us"), quota);
        }
    }

    private void ApplyMemory(MemoryResources m)
    {
        if (m.Limit is null && m.Reservation is null && m.Swap is null && m.DisableOomKiller is null && m.Swappiness is null)
        {
            return;
        }

        string dir = Require("memory", "memory limits");
        string limitFile = Join(dir, "memory.limit_in_bytes");
        string memswFile = Join(dir, "memory.memsw.limit_in_bytes");

        if (m.Swap is long swap && !File.Exists(memswFile))
        {
            if (swap != -1 && swap != m.Limit)
            {
                throw new CgroupException(
                    $"Cannot set memory+swap to {swap}: swap accounting is not enabled on this host ({memswFile} does not exist). " +
                    "Leave swap unset, set it equal to the memory limit, or boot with swapaccount=1.",
                    memswFile, CgroupFile.Format(swap), CgroupNative.ENOENT);
            }

            WriteLimit(limitFile, m.Limit);
        }
        else if (m.Swap is long memsw)
        {
            // The kernel keeps memsw >= limit at every instant: when the limit grows (or swap
            // becomes unlimited) memsw must move first, when it shrinks the limit must.
            bool memswFirst = memsw == -1 || (m.Limit is long newLimit && IsRaise(limitFile, newLimit));
            if (memswFirst)
            {
                Write(memswFile, memsw);
                WriteLimit(limitFile, m.Limit);
            }
            else
            {
                WriteLimit(limitFile, m.Limit);
                Write(memswFile, memsw);
            }
        }
        else
        {
            WriteLimit(limitFile, m.Limit);
        }

        if (m.Reservation is long reservation)
        {
            Write(Join(dir, "memory.soft_limit_in_bytes"), reservation);
        }

        if (m.DisableOomKiller is bool disable)
        {
            Write(Join(dir, "memory.oom_control"), disable ? "1" : "0");
        }

        if (m.Swappiness is ulong swappiness)
        {
            Write(Join(dir, "memory.swappiness"), CgroupFile.Format(swappiness));
        }
    }

    private void WriteLimit(string limitFile, long? limit)
    {
        if (limit is long l)
        {
            Write(limitFile, l);
        }
    }

    private static bool IsRaise(string limitFile, long newLimit)
    {
        ulong current = CgroupFile.TryReadNumber(limitFile) ?? ulong.MaxValue;
        return newLimit == -1 || (ulong)newLimit > current;
    }

    private void ApplyBlockIo(BlockIoResources b)
    {
        bool any = b.Weight is not null || b.LeafWeight is not null || b.WeightDevices is { Count: > 0 } ||
            b.ThrottleReadBps is { Count: > 0 } || b.ThrottleWriteBps is { Count: > 0 } ||
            b.ThrottleReadIops is { Count: > 0 } || b.ThrottleWriteIops is { Count: > 0 };
        if (!any)
        {
            return;
        }

        string dir = Require("blkio", "block I/O limits");
        if (b.Weight is ushort weight && weight != 0)
        {
            // Hosts with the BFQ scheduler and no CFQ only have the bfq file.
            string file = Join(dir, "blkio.weight");
            if (!File.Exists(file) && File.Exists(Join(dir, "blkio.bfq.weight")))
            {
                file = Join(dir, "blkio.bfq.weight");
            }

            Write(file, weight);
        }

        if (b.LeafWeight is ushort leaf && leaf != 0)
        {
            Write(Join(dir, "blkio.leaf_weight"), leaf);
        }

        string weightDeviceFile = Join(dir, "blkio.weight_device");
        if (!File.Exists(weightDeviceFile) && File.Exists(Join(dir, "blkio.bfq.weight_device")))
        {
            weightDeviceFile = Join(dir, "blkio.bfq.weight_device");
        }

        foreach (BlockIoWeightDevice d in b.WeightDevices ?? [])
        {
            Write(weightDeviceFile, $"{d.Major}:{d.Minor} {d.Weight}");
        }

        WriteThrottles(Join(dir, "blkio.throttle.read_bps_device"), b.ThrottleReadBps);
        WriteThrottles(Join(dir, "blkio.throttle.write_bps_device"), b.ThrottleWriteBps);
        WriteThrottles(Join(dir, "blkio.throttle.read_iops_device"), b.ThrottleReadIops);
        WriteThrottles(Join(dir, "blkio.throttle.write_iops_device"), b.ThrottleWriteIops);
    }

    private void WriteThrottles(string file, IReadOnlyList<BlockIoThrottleDevice>? devices)
    {
        foreach (BlockIoThrottleDevice d in devices ?? [])
        {
            Write(file, string.Create(CultureInfo.InvariantCulture, $"{d.Major}:{d.Minor} {d.Rate}"));
        }
    }

    private void ApplyDevices(IReadOnlyList<DeviceRule> rules)
    {
        if (Dir("devices") is not string dir)
        {
            if (!CgroupResourceValidator.AllowsAllDevices(rules))
            {
                Require("devices", "device access rules");
            }

            return;
        }

        foreach (DeviceRule rule in rules)
        {
            Write(Join(dir, rule.Allow ? "devices.allow" : "devices.deny"), CgroupResourceValidator.FormatDeviceRule(rule));
        }
    }

    public void Freeze() => SetFreezer("FROZEN");

    public void Thaw() => SetFreezer("THAWED");

    private void SetFreezer(string state)
    {
        string dir = Dir("freezer") ?? throw new CgroupException(
            $"Cannot pause or resume cgroup {Path}: the freezer controller is not available on this host.");
        string file = Join(dir, "freezer.state");

        // Writing FROZEN can leave the cgroup FREEZING while a task is busy in the kernel;
        // writing it again retries the freeze, so the write is repeated while polling.
        bool reached = CgroupTree.WaitFor(
            () =>
            {
                Write(file, state);
                return CgroupFile.TryRead(file) == state;
            },
            _options.FreezeTimeout);
        if (!reached)
        {
            if (state == "FROZEN")
            {
                Write(file, "THAWED");
            }

            throw new CgroupException(
                $"Cgroup {dir} did not reach {state} within {_options.FreezeTimeout.TotalSeconds:0.#} s (it reads {CgroupFile.TryRead(file)}).",
                file, state, 0);
        }
    }

    public CgroupFreezerState GetFreezerState()
    {
        string? state = Dir("freezer") is string dir ? CgroupFile.TryRead(Join(dir, "freezer.state")) : null;
        return state switch
        {
            "FROZEN" => CgroupFreezerState.Frozen,
            "FREEZING" => CgroupFreezerState.Freezing,
            "THAWED" => CgroupFreezerState.Thawed,
            _ => CgroupFreezerState.Undefined,
        };
    }

    public IReadOnlyList<int> GetPids()
    {
        string? dir = Dir("pids") ?? Dir("freezer") ?? Dir("memory") ?? _directories.FirstOrDefault().Directory;
        return dir is null ? [] : CgroupTree.ReadPidsRecursive(dir);
    }

    public CgroupStats GetStats()
    {
        ulong cpuUsage = 0, cpuUser = 0, cpuSystem = 0;
        if (Dir("cpuacct") is string cpuacct)
        {
            cpuUsage = CgroupFile.TryReadNumber(Join(cpuacct, "cpuacct.usage")) ?? 0;
            ulong? user = CgroupFile.TryReadNumber(Join(cpuacct, "cpuacct.usage_user"));
            ulong? system = CgroupFile.TryReadNumber(Join(cpuacct, "cpuacct.usage_sys"));
            if (user is null || system is null)
            {
                // cpuacct.stat counts USER_HZ ticks, 100 per second on Linux.
                Dictionary<string, ulong> ticks = CgroupFile.ReadKeyValues(Join(cpuacct, "cpuacct.stat"));
                user ??= ticks.GetValueOrDefault("user") * 10_000_000;
                system ??= ticks.GetValueOrDefault("system") * 10_000_000;
            }

            cpuUser = user.Value;
            cpuSystem = system.Value;
        }

        ulong memUsage = 0, memMax = 0, memCache = 0, oomKills = 0;
        ulong? memLimit = null;
        if (Dir("memory") is string memory)
        {
            memUsage = CgroupFile.TryReadNumber(Join(memory, "memory.usage_in_bytes")) ?? 0;
            memMax = CgroupFile.TryReadNumber(Join(memory, "memory.max_usage_in_bytes")) ?? 0;
            memLimit = CgroupFile.TryReadNumber(Join(memory, "memory.limit_in_bytes"));
            // The kernel reports "unlimited" as the largest page-aligned long.
            if (memLimit >= 0x7FFF_FFFF_FFFF_F000UL)
            {
                memLimit = null;
            }

            Dictionary<string, ulong> stat = CgroupFile.ReadKeyValues(Join(memory, "memory.stat"));
            memCache = stat.TryGetValue("total_cache", out ulong total) ? total : stat.GetValueOrDefault("cache");
            oomKills = OomKillCount;
        }

        ulong pidsCurrent = 0;
        ulong? pidsLimit = null;
        if (Dir("pids") is string pids)
        {
            pidsCurrent = CgroupFile.TryReadNumber(Join(pids, "pids.current")) ?? 0;
            pidsLimit = CgroupFile.TryReadNumber(Join(pids, "pids.max"));
        }

        (ulong readBytes, ulong writeBytes, ulong readOps, ulong writeOps) = (0, 0, 0, 0);
        if (Dir("blkio") is string blkio)
        {
            (readBytes, writeBytes) = SumBlkio(blkio, "blkio.throttle.io_service_bytes");
            (readOps, writeOps) = SumBlkio(blkio, "blkio.throttle.io_serviced");
        }

        return new CgroupStats
        {
            CpuUsageNanoseconds = cpuUsage,
            CpuUserNanoseconds = cpuUser,
            CpuSystemNanoseconds = cpuSystem,
            MemoryUsage = memUsage,
            MemoryLimit = memLimit,
            MemoryMaxUsage = memMax,
            MemoryCache = memCache,
            PidsCurrent = pidsCurrent,
            PidsLimit = pidsLimit,
            BlockIoReadBytes = readBytes,
            BlockIoWriteBytes = writeBytes,
            BlockIoReadOperations = readOps,
            BlockIoWriteOperations = writeOps,
            OomKillCount = oomKills,
        };
    }

    // Lines are "8:0 Read 4096"; the recursive file includes child cgroups when the kernel has it.
    private static (ulong Read, ulong Write) SumBlkio(string dir, string baseName)
    {
        string? text = CgroupFile.TryRead(Join(dir, baseName + "_recursive")) ?? CgroupFile.TryRead(Join(dir, baseName));
        ulong read = 0, write = 0;
        foreach (string line in (text ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3 || !ulong.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out ulong n))
            {
                continue;
            }

            if (parts[1] == "Read")
            {
                read += n;
            }
            else if (parts[1] == "Write")
            {
                write += n;
            }
        }

        return (read, write);
    }

    public bool OomKilled() => OomKillCount > 0;

    public void Kill(int signal)
    {
        if (GetPids().Count == 0)
        {
            return;
        }

        // Frozen tasks cannot fork, so one pass sees every process; SIGKILL needs them
        // thawed to die, other signals leave a paused container paused.
        string? freezer = Dir("freezer");
        bool wasFrozen = GetFreezerState() == CgroupFreezerState.Frozen;
        bool froze = false;
        if (freezer is not null && !wasFrozen && Directory.Exists(freezer))
        {
            try
            {
                Freeze();
                froze = true;
            }
            catch (CgroupException e)
            {
                _logger.LogDebug(e, "Could not freeze {Cgroup} before signalling; signalling anyway", Path);
            }
        }

        try
        {
            CgroupTree.SignalAll(GetPids, signal, Path, _logger);
        }
        finally
        {
            if (froze || (wasFrozen && signal == 9))
            {
                Thaw();
            }
        }
    }

    public void Remove()
    {
        CgroupException? first = null;
        foreach ((_, string d) in _directories)
        {
            try
            {
                CgroupTree.Remove(d, _options.RemoveTimeout);
            }
            catch (CgroupException e)
            {
                first ??= e;
            }
        }

        if (first is not null)
        {
            throw first;
        }
    }

    private static string Join(string a, string b) => System.IO.Path.Join(a, b);
}
