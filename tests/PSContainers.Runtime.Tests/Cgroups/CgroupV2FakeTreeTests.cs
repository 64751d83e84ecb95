using Microsoft.Extensions.Logging;
using PSContainers.Runtime.Cgroups;
using Xunit;

namespace PSContainers.Runtime.Tests.Cgroups;

// The v2 driver against a fake unified hierarchy: what it writes into which file.
public sealed class CgroupV2FakeTreeTests : IDisposable
{
    private const string CgroupPath = "/pscontainers/c1";
    private readonly FakeCgroupFs _fs = new();
    private readonly CapturingLogger _logger = new();

    public CgroupV2FakeTreeTests()
    {
        _fs.AddV2Cgroup("");
        _fs.AddV2Cgroup("pscontainers", "cpu memory pids");
        _fs.Write("memory", "pscontainers", "cgroup.subtree_control"); // the kernel lists enabled ones without "+"
        _fs.AddV2Cgroup("pscontainers/c1", "cpu memory pids io cpuset");
    }

    public void Dispose() => _fs.Dispose();

    private ICgroupManager Manager(TimeSpan? freezeTimeout = null) => CgroupManagerFactory.Create(CgroupPath, new CgroupDriverOptions
    {
        Root = _fs.Root,
        Logger = _logger,
        FreezeTimeout = freezeTimeout ?? TimeSpan.FromSeconds(5),
    });

    private string Leaf(string file) => _fs.Read("pscontainers", "c1", file);

    [Fact]
    public void Factory_detects_v2_when_root_has_cgroup_controllers()
    {
        Assert.IsType<CgroupV2Manager>(Manager());
    }

    [Fact]
    public void Create_enables_only_available_and_not_yet_enabled_controllers_in_each_ancestor()
    {
        Manager().Create();

        // Root offers hugetlb and rdma too: only the five we use are enabled.
        Assert.Equal("+cpuset +cpu +io +memory +pids", _fs.Read("cgroup.subtree_control"));
        // The parent only has cpu, memory, pids, and memory was already on.
        Assert.Equal("+cpu +pids", _fs.Read("pscontainers", "cgroup.subtree_control"));
        // The leaf's own subtree is left alone: the container's processes live in it.
        Assert.Equal("", Leaf("cgroup.subtree_control"));
    }

    [Fact]
    public void Create_makes_missing_levels_and_Exists_reports_them()
    {
        var manager = CgroupManagerFactory.Create("/pscontainers/new/deeper", new CgroupDriverOptions { Root = _fs.Root });
        Assert.False(manager.Exists);

        manager.Create();

        Assert.True(manager.Exists);
        Assert.True(Directory.Exists(_fs.PathOf("pscontainers", "new", "deeper")));
    }

    [Fact]
    public void Memory_limit_reservation_and_swap_are_converted_from_oci_memsw_semantics()
    {
        Manager().Apply(new CgroupResources
        {
            Memory = new MemoryResources { Limit = 64 << 20, Reservation = 32 << 20, Swap = 96 << 20 },
        });

        Assert.Equal("67108864", Leaf("memory.max"));
        Assert.Equal("33554432", Leaf("memory.low"));
        Assert.Equal("33554432", Leaf("memory.swap.max"));
    }

    [Fact]
    public void Unlimited_memory_and_swap_are_written_as_max()
    {
        _fs.Write("1000", "pscontainers", "c1", "memory.max");
        _fs.Write("1000", "pscontainers", "c1", "memory.swap.max");

        Manager().Apply(new CgroupResources { Memory = new MemoryResources { Limit = -1, Swap = -1 } });

        Assert.Equal("max", Leaf("memory.max"));
        Assert.Equal("max", Leaf("memory.swap.max"));
    }

    [Fact]
    public void Swap_below_the_memory_limit_is_rejected_before_anything_is_written()
    {
        var e = Assert.Throws<CgroupException>(() => Manager().Apply(new CgroupResources
        {
            Pids = new PidsResources { Limit = 5 },
            Memory = new MemoryResources { Limit = 64 << 20, Swap = 32 << 20 },
        }));

        Assert.Contains("at least the memory limit", e.Message);
        Assert.Equal("max", Leaf("memory.max"));
        Assert.Equal("max", Leaf("pids.max"));
    }

    [Fact]
    public void Swap_without_swap_accounting_fails_only_when_it_differs_from_the_limit()
    {
        File.Delete(_fs.PathOf("pscontainers", "c1", "memory.swap.max"));
        var manager = Manager();

        var e = Assert.Throws<CgroupException>(() => manager.Apply(new CgroupResources
        {
            Memory = new MemoryResources { Limit = 64 << 20, Swap = 128 << 20 },
        }));
        Assert.Contains("swap accounting is not enabled", e.Message);

        manager.Apply(new CgroupResources { Memory = new MemoryResources { Limit = 64 << 20, Swap = 64 << 20 } });
        Assert.Equal("67108864", Leaf("memory.max"));
    }

    [Theory]
    [InlineData(2UL, "1")]
    [InlineData(1024UL, "39")]
    [InlineData(512UL, "20")]
    [InlineData(262144UL, "10000")]
    public void Cpu_shares_become_cpu_weight_as_crun_converts_them(ulong shares, string weight)
    {
        Manager().Apply(new CgroupResources { Cpu = new CpuResources { Shares = shares } });

        Assert.Equal(weight, Leaf("cpu.weight"));
    }

    [Fact]
    public void Cpu_quota_period_and_cpuset_are_written()
    {
        Manager().Apply(new CgroupResources
        {
            Cpu = new CpuResources { Quota = 50000, Period = 100000, Cpus = "0-1", Mems = "0" },
        });

        Assert.Equal("50000 100000", Leaf("cpu.max"));
        Assert.Equal("0-1", Leaf("cpuset.cpus"));
        Assert.Equal("0", Leaf("cpuset.mems"));
    }

    [Fact]
    public void Cpu_quota_minus_one_is_max_and_a_period_alone_keeps_the_quota()
    {
        var manager = Manager();
        manager.Apply(new CgroupResources { Cpu = new CpuResources { Quota = -1, Period = 50000 } });
        Assert.Equal("max 50000", Leaf("cpu.max"));

        _fs.Write("20000 100000", "pscontainers", "c1", "cpu.max");
        manager.Apply(new CgroupResources { Cpu = new CpuResources { Period = 200000 } });
        Assert.Equal("20000 200000", Leaf("cpu.max"));
    }

    [Theory]
    [InlineData(10L, "10")]
    [InlineData(0L, "max")]
    [InlineData(-1L, "max")]
    public void Pids_limit_is_written_with_max_for_unlimited(long limit, string expected)
    {
        _fs.Write("7", "pscontainers", "c1", "pids.max");

        Manager().Apply(new CgroupResources { Pids = new PidsResources { Limit = limit } });

        Assert.Equal(expected, Leaf("pids.max"));
    }

    [Theory]
    [InlineData((ushort)10, "default 1")]
    [InlineData((ushort)500, "default 4950")]
    [InlineData((ushort)1000, "default 10000")]
    public void Blkio_weight_becomes_io_weight_as_crun_converts_it(ushort weight, string expected)
    {
        Manager().Apply(new CgroupResources { BlockIo = new BlockIoResources { Weight = weight } });

        Assert.Equal(expected, Leaf("io.weight"));
    }

    [Fact]
    public void Io_throttles_are_one_io_max_line_per_device_and_zero_means_max()
    {
        var writes = new List<(string File, string Value)>();
        var manager = (CgroupV2Manager)Manager();
        manager.WriteObserver = (f, v) => writes.Add((Path.GetFileName(f), v));

        manager.Apply(new CgroupResources
        {
            BlockIo = new BlockIoResources
            {
                WeightDevices = [new BlockIoWeightDevice(8, 0, 100)],
                ThrottleReadBps = [new BlockIoThrottleDevice(8, 0, 1048576), new BlockIoThrottleDevice(8, 16, 4096)],
                ThrottleWriteBps = [new BlockIoThrottleDevice(8, 0, 2097152)],
                ThrottleReadIops = [new BlockIoThrottleDevice(8, 0, 100)],
                ThrottleWriteIops = [new BlockIoThrottleDevice(8, 0, 0)],
            },
        });

        Assert.Equal(
            [
                ("io.weight", "8:0 910"),
                ("io.max", "8:0 rbps=1048576 wbps=2097152 riops=100 wiops=max"),
                ("io.max", "8:16 rbps=4096"),
            ],
            writes);
    }

    [Fact]
    public void Device_rules_other_than_allow_all_log_a_warning_that_they_are_not_enforced()
    {
        var manager = Manager();
        manager.Apply(new CgroupResources { Devices = [new DeviceRule(false), new DeviceRule(true, 'c', 1, 3, "rwm")] });

        var warning = Assert.Single(_logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("not enforced on cgroup v2", warning.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Allow_all_device_rules_log_nothing()
    {
        Manager().Apply(new CgroupResources { Devices = [new DeviceRule(false), new DeviceRule(true)] });

        Assert.DoesNotContain(_logger.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public void Unified_entries_are_written_verbatim()
    {
        _fs.Write("max", "pscontainers", "c1", "memory.high");

        Manager().Apply(new CgroupResources
        {
            Unified = new Dictionary<string, string> { ["memory.high"] = "50000000", ["cpu.weight"] = "77" },
        });

        Assert.Equal("50000000", Leaf("memory.high"));
        Assert.Equal("77", Leaf("cpu.weight"));
    }

    [Theory]
    [InlineData("../cgroup.procs")]
    [InlineData("sub/memory.max")]
    [InlineData("..")]
    public void Unified_names_that_leave_the_cgroup_are_rejected_and_nothing_is_written(string name)
    {
        var e = Assert.Throws<CgroupException>(() => Manager().Apply(new CgroupResources
        {
            Pids = new PidsResources { Limit = 3 },
            Unified = new Dictionary<string, string> { [name] = "1" },
        }));

        Assert.Contains(name, e.Message);
        Assert.Equal("max", Leaf("pids.max"));
    }

    [Fact]
    public void Unified_entry_for_a_missing_file_names_the_file()
    {
        var e = Assert.Throws<CgroupException>(() => Manager().Apply(new CgroupResources
        {
            Unified = new Dictionary<string, string> { ["hugetlb.2MB.max"] = "0" },
        }));

        Assert.Contains(_fs.PathOf("pscontainers", "c1", "hugetlb.2MB.max"), e.Message);
    }

    [Fact]
    public async Task Freeze_waits_for_the_kernel_to_report_frozen_and_Thaw_for_thawed()
    {
        var manager = Manager();
        string events = _fs.PathOf("pscontainers", "c1", "cgroup.events");
        string freeze = _fs.PathOf("pscontainers", "c1", "cgroup.freeze");

        // Plays the kernel: reports frozen after a delay once cgroup.freeze says so.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Task kernel = Task.Run(async () =>
        {
            while (!cts.IsCancellationRequested)
            {
                string wanted = File.ReadAllText(freeze).Trim();
                await Task.Delay(50);
                File.WriteAllText(events, $"populated 1\nfrozen {wanted}\n");
            }
        });

        try
        {
            manager.Freeze();
            Assert.Equal("1", File.ReadAllText(freeze).Trim());
            Assert.Equal(CgroupFreezerState.Frozen, manager.GetFreezerState());

            manager.Thaw();
            Assert.Equal("0", File.ReadAllText(freeze).Trim());
            Assert.Equal(CgroupFreezerState.Thawed, manager.GetFreezerState());
        }
        finally
        {
            await cts.CancelAsync();
            await kernel;
        }
    }

    [Fact]
    public void Freeze_that_never_completes_times_out_and_thaws_again()
    {
        var manager = Manager(TimeSpan.FromMilliseconds(200));

        var e = Assert.Throws<CgroupException>(manager.Freeze);

        Assert.Contains("did not report frozen 1", e.Message);
        Assert.Equal("0", Leaf("cgroup.freeze"));
        Assert.Equal(CgroupFreezerState.Thawed, manager.GetFreezerState());
    }

    [Fact]
    public void GetPids_includes_processes_of_child_cgroups()
    {
        _fs.Write("100\n101\n", "pscontainers", "c1", "cgroup.procs");
        _fs.Write("102\n", "pscontainers", "c1", "inner", "cgroup.procs");

        Assert.Equal([100, 101, 102], Manager().GetPids().Order());
    }

    [Fact]
    public void AddProcess_writes_the_pid_to_cgroup_procs()
    {
        Manager().AddProcess(4242);

        Assert.Equal("4242", Leaf("cgroup.procs"));
    }

    [Fact]
    public void Stats_are_read_from_the_v2_files()
    {
        _fs.Write("usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n", "pscontainers", "c1", "cpu.stat");
        _fs.Write("4096", "pscontainers", "c1", "memory.current");
        _fs.Write("1048576", "pscontainers", "c1", "memory.max");
        _fs.Write("8192", "pscontainers", "c1", "memory.peak");
        _fs.Write("anon 10\nfile 2048\n", "pscontainers", "c1", "memory.stat");
        _fs.Write("3", "pscontainers", "c1", "pids.current");
        _fs.Write("8:0 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n8:16 rbytes=1 wbytes=2 rios=3 wios=4\n", "pscontainers", "c1", "io.stat");
        _fs.Write("low 0\nhigh 0\nmax 4\noom 2\noom_kill 2\n", "pscontainers", "c1", "memory.events");

        var manager = Manager();
        CgroupStats s = manager.GetStats();

        Assert.Equal(1_500_000UL, s.CpuUsageNanoseconds);
        Assert.Equal(1_000_000UL, s.CpuUserNanoseconds);
        Assert.Equal(500_000UL, s.CpuSystemNanoseconds);
        Assert.Equal(4096UL, s.MemoryUsage);
        Assert.Equal(1048576UL, s.MemoryLimit);
        Assert.Equal(8192UL, s.MemoryMaxUsage);
        Assert.Equal(2048UL, s.MemoryCache);
        Assert.Equal(3UL, s.PidsCurrent);
        Assert.Null(s.PidsLimit);
        Assert.Equal(101UL, s.BlockIoReadBytes);
        Assert.Equal(202UL, s.BlockIoWriteBytes);
        Assert.Equal(4UL, s.BlockIoReadOperations);
        Assert.Equal(6UL, s.BlockIoWriteOperations);
        Assert.Equal(2UL, s.OomKillCount);
        Assert.True(manager.OomKilled());
    }

    [Fact]
    public void OomKilled_is_false_while_memory_events_counts_no_kills()
    {
        Assert.False(Manager().OomKilled());
    }

    [Fact]
    public void Kill_with_sigkill_uses_cgroup_kill()
    {
        Manager().Kill(9);

        Assert.Equal("1", Leaf("cgroup.kill"));
    }

    [Fact]
    public void Remove_deletes_the_cgroup_and_its_children_and_is_idempotent()
    {
        _fs.AddV2Cgroup("pscontainers/c1/inner");
        var manager = Manager();

        manager.Remove();
        manager.Remove();

        Assert.False(manager.Exists);
        Assert.False(Directory.Exists(_fs.PathOf("pscontainers", "c1")));
        Assert.True(Directory.Exists(_fs.PathOf("pscontainers")));
    }
}
