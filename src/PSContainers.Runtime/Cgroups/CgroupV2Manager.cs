using System.Globalization;
using Microsoft.Extensions.Logging;

namespace PSContainers.Runtime.Cgroups;

// cgroup v2: one directory in the unified hierarchy; controllers must be enabled in every
// ancestor's cgroup.subtree_control before their files appear in the child.
internal sealed class CgroupV2Manager : ICgroupManager
{
    // Kernel order; a single write enables them all or none.
    private static readonly string[] s_wantedControllers = ["cpuset", "cpu", "io", "memory", "pids"];

    private readonly string _mountPoint;
    private readonly string _dir;
    private readonly CgroupDriverOptions _options;
    private readonly ILogger _logger;

    public CgroupV2Manager(string path, string mountPoint, string directory, CgroupDriverOptions options, ILogger logger)
    {
        Path = path;
        _mountPoint = mountPoint;
        _dir = directory;
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

    internal string Directory => _dir;

    public bool Exists => System.IO.Directory.Exists(_dir);

    public IReadOnlyList<CgroupHierarchyDirectory> HierarchyDirectories => new[] { new CgroupHierarchyDirectory("", _dir, true) };

    public ulong OomKillCount => CgroupFile.ReadKeyValues(File("memory.events")).GetValueOrDefault("oom_kill");

    private string File(string name) => System.IO.Path.Join(_dir, name);

    public void Create()
    {
        string relative = System.IO.Path.GetRelativePath(_mountPoint, _dir);
        string current = _mountPoint;
        foreach (string segment in relative == "." ? [] : relative.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            EnableControllers(current);
            current = System.IO.Path.Join(current, segment);
            try
            {
                System.IO.Directory.CreateDirectory(current);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CgroupException($"Cannot create cgroup directory {current}: {e.Message}", current, null, 0, e);
            }
        }
    }

    private void EnableControllers(string dir)
    {
        string[] available = Words(CgroupFile.TryRead(System.IO.Path.Join(dir, "cgroup.controllers")));
        var enabled = Words(CgroupFile.TryRead(System.IO.Path.Join(dir, "cgroup.subtree_control"))).Select(w => w.TrimStart('+')).ToList();
        var missing = s_wantedControllers.Where(c => available.Contains(c) && !enabled.Contains(c)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        string file = System.IO.Path.Join(dir, "cgroup.subtree_control");
        try
        {
            Write(file, string.Join(' ', missing.Select(c => "+" + c)));
        }
        catch (CgroupException all)
        {
            // One refused controller (e.g. cpu while a realtime task runs, or processes in a
            // non-root ancestor) fails the whole write; enable the others one by one and let
            // Apply report a limit that cannot be set.
            _logger.LogWarning("Enabling {Controllers} in {File} failed ({Error}); trying one by one", string.Join(' ', missing), file, all.Message);
            foreach (string controller in missing)
            {
                try
                {
                    Write(file, "+" + controller);
                }
                catch (CgroupException one)
                {
                    _logger.LogWarning("Controller {Controller} stays disabled below {Dir}: {Error}", controller, dir, one.Message);
                }
            }
        }
    }

    private static string[] Words(string? text) => (text ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public void AddProcess(int pid) => Write(File("cgroup.procs"), pid);

    public void Apply(CgroupResources r)
    {
        CgroupResourceValidator.Validate(r);
        RefuseV1Only(r);
        HugePageSizes.Validate(r.HugepageLimits);
        if (r.Cpu is { } cpu)
        {
            ApplyCpu(cpu);
            ApplyCpuExtras(cpu);
        }

        if (r.Memory is { } memory)
        {
            ApplyMemory(memory);
        }

        if (r.Pids is { Limit: long limit })
        {
            Write(File("pids.max"), limit > 0 ? CgroupFile.Format(limit) : "max");
        }

        if (r.BlockIo is { } blockIo)
        {
            ApplyIo(blockIo);
        }

        if (r.Devices is { } devices && !CgroupResourceValidator.AllowsAllDevices(devices))
        {
            _logger.LogWarning(
                "Device rules are NOT enforced on cgroup v2 for {Cgroup}: they need an eBPF device filter, which PSContainers does not implement yet; {Count} rules ignored",
                Path, devices.Count);
        }

        foreach (HugepageLimit hugepages in r.HugepageLimits ?? [])
        {
            string file = File($"hugetlb.{hugepages.PageSize}.max");
            if (!System.IO.File.Exists(file))
            {
                throw new CgroupException(
                    $"The resources ask for a hugetlb limit for {hugepages.PageSize} pages, but {file} does not exist: is the hugetlb controller enabled?",
                    file, CgroupFile.Format(hugepages.Limit), CgroupNative.ENOENT);
            }

            Write(file, CgroupFile.Format(hugepages.Limit));
        }

        foreach ((string name, string value) in r.Unified ?? new Dictionary<string, string>())
        {
            string file = File(name);
            if (!System.IO.File.Exists(file))
            {
                throw new CgroupException(
                    $"Unified cgroup file {file} does not exist: is its controller enabled and is the name right?", file, value, CgroupNative.ENOENT);
            }

            Write(file, value);
        }
    }

    private void ApplyCpu(CpuResources cpu)
    {
        if (cpu.Cpus is not null)
        {
            Write(File("cpuset.cpus"), cpu.Cpus);
        }

        if (cpu.Mems is not null)
        {
            Write(File("cpuset.mems"), cpu.Mems);
        }

        if (cpu.Shares is ulong shares && shares != 0)
        {
            Write(File("cpu.weight"), CgroupFile.Format(CgroupConversions.SharesToWeight(shares)));
        }

        if (cpu.Quota is not null || cpu.Period is { } and not 0)
        {
            // cpu.max holds both values; keep the half that was not asked to change.
            string[] current = Words(CgroupFile.TryRead(File("cpu.max")));
            string quota = cpu.Quota is long q ? (q > 0 ? CgroupFile.Format(q) : "max") : current.ElementAtOrDefault(0) ?? "max";
            string period = cpu.Period is ulong p && p != 0 ? CgroupFile.Format(p) : current.ElementAtOrDefault(1) ?? "100000";
            Write(File("cpu.max"), $"{quota} {period}");
        }
    }

    // Fields cgroup v2 has no file for: refused before anything is written, as crun and runc do.
    private static void RefuseV1Only(CgroupResources r)
    {
        string? field = r.Memory?.Swappiness is not null ? "linux.resources.memory.swappiness"
            : r.Cpu?.RealtimeRuntime is not null || r.Cpu?.RealtimePeriod is not null ? "linux.resources.cpu.realtimeRuntime/realtimePeriod"
            : r.Network?.ClassId is not null ? "linux.resources.network.classID"
            : r.Network?.Priorities is { Count: > 0 } ? "linux.resources.network.priorities"
            : null;
        if (field is not null)
        {
            throw new CgroupException($"{field} exists only on cgroup v1 (net_cls, net_prio, RT group scheduling, per-cgroup swappiness); this host uses cgroup v2: remove it.");
        }
    }

    private void ApplyCpuExtras(CpuResources cpu)
    {
        if (cpu.Burst is ulong burst)
        {
            Write(File("cpu.max.burst"), CgroupFile.Format(burst));
        }

        if (cpu.Idle is long idle)
        {
            string file = File("cpu.idle");
            if (!System.IO.File.Exists(file))
            {
                throw new CgroupException($"linux.resources.cpu.idle needs kernel 5.15 or later ({file} does not exist).", file, CgroupFile.Format(idle), CgroupNative.ENOENT);
            }

            Write(file, CgroupFile.Format(idle));
        }
    }

    private void ApplyMemory(MemoryResources m)
    {
        if (m.Reservation is long reservation)
        {
            Write(File("memory.low"), reservation == -1 ? "max" : CgroupFile.Format(reservation));
        }

        if (m.Swap is long swap)
        {
            // OCI swap is memory+swap (the v1 memsw), v2's memory.swap.max is swap alone.
            string swapFile = File("memory.swap.max");
            if (!System.IO.File.Exists(swapFile))
            {
                if (swap != -1 && swap != m.Limit)
                {
                    throw new CgroupException(
                        $"Cannot set memory+swap to {swap}: swap accounting is not enabled on this host ({swapFile} does not exist). " +
                        "Leave swap unset or set it equal to the memory limit.",
                        swapFile, CgroupFile.Format(swap), CgroupNative.ENOENT);
                }
            }
            else if (swap == -1)
            {
                Write(swapFile, "max");
            }
            else if (m.Limit is long limit)
            {
                Write(swapFile, CgroupFile.Format(swap - limit));
            }
            else
            {
                throw new CgroupException($"A memory+swap limit ({swap}) on cgroup v2 needs a memory limit too, to compute memory.swap.max.");
            }
        }

        if (m.Limit is long l)
        {
            Write(File("memory.max"), l == -1 ? "max" : CgroupFile.Format(l));
        }

        if (m.DisableOomKiller == true)
        {
            _logger.LogWarning("Disabling the OOM killer is not supported on cgroup v2; ignored for {Cgroup}", Path);
        }
    }

    private void ApplyIo(BlockIoResources b)
    {
        if (b.Weight is ushort weight && weight != 0)
        {
            Write(File("io.weight"), "default " + CgroupFile.Format(CgroupConversions.BlockIoWeightToIoWeight(weight)));
        }

        if (b.LeafWeight is not null)
        {
            _logger.LogWarning("Block I/O leaf weight has no cgroup v2 equivalent; ignored for {Cgroup}", Path);
        }

        foreach (BlockIoWeightDevice d in b.WeightDevices ?? [])
        {
            Write(File("io.weight"), string.Create(CultureInfo.InvariantCulture, $"{d.Major}:{d.Minor} {CgroupConversions.BlockIoWeightToIoWeight(d.Weight)}"));
        }

        // io.max takes every limit of one device on one line.
        var lines = new Dictionary<(long, long), List<string>>();
        var order = new List<(long, long)>();
        void Add(IReadOnlyList<BlockIoThrottleDevice>? devices, string key)
        {
            foreach (BlockIoThrottleDevice d in devices ?? [])
            {
                if (!lines.TryGetValue((d.Major, d.Minor), out List<string>? parts))
                {
                    lines[(d.Major, d.Minor)] = parts = [];
                    order.Add((d.Major, d.Minor));
                }

                // The kernel rejects 0 in io.max; OCI's 0 means no limit.
                parts.Add($"{key}={(d.Rate == 0 ? "max" : CgroupFile.Format(d.Rate))}");
            }
        }

        Add(b.ThrottleReadBps, "rbps");
        Add(b.ThrottleWriteBps, "wbps");
        Add(b.ThrottleReadIops, "riops");
        Add(b.ThrottleWriteIops, "wiops");
        foreach ((long major, long minor) in order)
        {
            Write(File("io.max"), string.Create(CultureInfo.InvariantCulture, $"{major}:{minor} {string.Join(' ', lines[(major, minor)])}"));
        }
    }

    public void Freeze() => SetFrozen(true);

    public void Thaw() => SetFrozen(false);

    private void SetFrozen(bool frozen)
    {
        string freezeFile = File("cgroup.freeze");
        if (!System.IO.File.Exists(freezeFile))
        {
            throw new CgroupException($"Cannot pause or resume cgroup {_dir}: {freezeFile} does not exist (the kernel needs 5.2 or later).",
                freezeFile, null, CgroupNative.ENOENT);
        }

        Write(freezeFile, frozen ? "1" : "0");
        ulong want = frozen ? 1UL : 0UL;
        bool reached = CgroupTree.WaitFor(
            () => CgroupFile.ReadKeyValues(File("cgroup.events")).TryGetValue("frozen", out ulong f) && f == want,
            _options.FreezeTimeout);
        if (!reached)
        {
            if (frozen)
            {
                Write(freezeFile, "0");
            }

            throw new CgroupException(
                $"Cgroup {_dir} did not report frozen {want} in cgroup.events within {_options.FreezeTimeout.TotalSeconds:0.#} s.",
                freezeFile, frozen ? "1" : "0", 0);
        }
    }

    public CgroupFreezerState GetFreezerState()
    {
        string? freeze = CgroupFile.TryRead(File("cgroup.freeze"));
        if (freeze is null)
        {
            return CgroupFreezerState.Undefined;
        }

        if (CgroupFile.ReadKeyValues(File("cgroup.events")).GetValueOrDefault("frozen") == 1)
        {
            return CgroupFreezerState.Frozen;
        }

        return freeze == "1" ? CgroupFreezerState.Freezing : CgroupFreezerState.Thawed;
    }

    public IReadOnlyList<int> GetPids() => CgroupTree.ReadPidsRecursive(_dir);

    public CgroupStats GetStats()
    {
        Dictionary<string, ulong> cpu = CgroupFile.ReadKeyValues(File("cpu.stat"));
        Dictionary<string, ulong> memoryStat = CgroupFile.ReadKeyValues(File("memory.stat"));
        (ulong rbytes, ulong wbytes, ulong rios, ulong wios) = ReadIoStat();
        return new CgroupStats
        {
            CpuUsageNanoseconds = cpu.GetValueOrDefault("usage_usec") * 1000,
            CpuUserNanoseconds = cpu.GetValueOrDefault("user_usec") * 1000,
            CpuSystemNanoseconds = cpu.GetValueOrDefault("system_usec") * 1000,
            MemoryUsage = CgroupFile.TryReadNumber(File("memory.current")) ?? 0,
            MemoryLimit = CgroupFile.TryReadNumber(File("memory.max")),
            MemoryMaxUsage = CgroupFile.TryReadNumber(File("memory.peak")) ?? 0,
            MemoryCache = memoryStat.GetValueOrDefault("file"),
            PidsCurrent = CgroupFile.TryReadNumber(File("pids.current")) ?? 0,
            PidsLimit = CgroupFile.TryReadNumber(File("pids.max")),
            BlockIoReadBytes = rbytes,
            BlockIoWriteBytes = wbytes,
            BlockIoReadOperations = rios,
            BlockIoWriteOperations = wios,
            OomKillCount = OomKillCount,
        };
    }

    // Lines are "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0".
    private (ulong, ulong, ulong, ulong) ReadIoStat()
    {
        ulong rbytes = 0, wbytes = 0, rios = 0, wios = 0;
        foreach (string line in (CgroupFile.TryRead(File("io.stat")) ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (string pair in line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
            {
                int eq = pair.IndexOf('=');
                if (eq < 0 || !ulong.TryParse(pair.AsSpan(eq + 1), NumberStyles.None, CultureInfo.InvariantCulture, out ulong n))
                {
                    continue;
                }

                switch (pair[..eq])
                {
                    case "rbytes": rbytes += n; break;
                    case "wbytes": wbytes += n; break;
                    case "rios": rios += n; break;
                    case "wios": wios += n; break;
                }
            }
        }

        return (rbytes, wbytes, rios, wios);
    }

    public bool OomKilled() => OomKillCount > 0;

    public void Kill(int signal)
    {
        string killFile = File("cgroup.kill");
        if (signal == 9 && System.IO.File.Exists(killFile))
        {
            // cgroup.kill (5.14+) kills the whole subtree atomically, forks included.
            Write(killFile, "1");
            return;
        }

        CgroupTree.SignalAll(GetPids, signal, Path, _logger);
    }

    public void Remove() => CgroupTree.Remove(_dir, _options.RemoveTimeout);
}
