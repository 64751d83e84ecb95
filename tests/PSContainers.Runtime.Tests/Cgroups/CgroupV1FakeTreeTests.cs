using PSContainers.Runtime.Cgroups;
using Xunit;

namespace PSContainers.Runtime.Tests.Cgroups;

// The v1 driver against a fake hybrid layout: a combined cpu,cpuacct hierarchy, a named
// systemd one, a cgroup2 "unified" to ignore, and no hugetlb.
public sealed class CgroupV1FakeTreeTests : IDisposable
{
    private const string CgroupPath = "/pscontainers/c1";
    private static readonly string[] s_hierarchies = ["cpu,cpuacct", "cpuset", "memory", "pids", "blkio", "devices", "freezer", "systemd"];
    private readonly FakeCgroupFs _fs = new();
    private readonly List<(string File, string Value)> _writes = [];

    public CgroupV1FakeTreeTests()
    {
        foreach (string h in s_hierarchies)
        {
            _fs.AddV1Cgroup(h, "");
            _fs.AddV1Cgroup(h, "pscontainers");
            _fs.AddV1Cgroup(h, "pscontainers/c1");
        }

        _fs.AddV2Cgroup("unified", "hugetlb");
    }

    public void Dispose() => _fs.Dispose();

    private CgroupV1Manager Manager(string path = CgroupPath)
    {
        var m = (CgroupV1Manager)CgroupManagerFactory.Create(path, new CgroupDriverOptions { Root = _fs.Root, Version = CgroupVersion.V1 });
        m.WriteObserver = (f, v) => _writes.Add((Path.GetRelativePath(_fs.Root, f), v));
        return m;
    }

    private string Leaf(string hierarchy, string file) => _fs.Read(hierarchy, "pscontainers", "c1", file);

    [Fact]
    public void Factory_detects_v1_when_root_has_per_controller_directories()
    {
        var manager = CgroupManagerFactory.Create(CgroupPath, new CgroupDriverOptions { Root = _fs.Root });

        Assert.IsType<CgroupV1Manager>(manager);
    }

    [Fact]
    public void Create_makes_the_cgroup_in_every_hierarchy_including_combined_and_named_but_not_unified()
    {
        var manager = Manager("/pscontainers/fresh");

        manager.Create();

        foreach (string h in s_hierarchies)
        {
            Assert.True(Directory.Exists(_fs.PathOf(h, "pscontainers", "fresh")), h);
        }

        Assert.False(Directory.Exists(_fs.PathOf("unified", "pscontainers")));
        Assert.False(Directory.Exists(_fs.PathOf("hugetlb")));
    }

    [Fact]
    public void Create_copies_cpuset_cpus_and_mems_down_every_new_level()
    {
        Assert.Equal("", _fs.Read("cpuset", "pscontainers", "cpuset.cpus"));

        Manager().Create();

        Assert.Equal("0-3", _fs.Read("cpuset", "pscontainers", "cpuset.cpus"));
        Assert.Equal("0", _fs.Read("cpuset", "pscontainers", "cpuset.mems"));
        Assert.Equal("0-3", Leaf("cpuset", "cpuset.cpus"));
        Assert.Equal("0", Leaf("cpuset", "cpuset.mems"));
    }

    [Fact]
    public void Create_keeps_a_cpuset_a_level_already_has()
    {
        _fs.Write("1", "cpuset", "pscontainers", "cpuset.cpus");

        Manager().Create();

        Assert.Equal("1", Leaf("cpuset", "cpuset.cpus"));
    }

    [Fact]
    public void AddProcess_writes_the_pid_into_every_hierarchy()
    {
        Manager().AddProcess(321);

        foreach (string h in s_hierarchies)
        {
            Assert.Equal("321", Leaf(h, "cgroup.procs"));
        }
    }

    [Fact]
    public void Raising_memory_writes_memsw_before_the_limit()
    {
        _fs.Write("33554432", "memory", "pscontainers", "c1", "memory.limit_in_bytes");

        Manager().Apply(new CgroupResources { Memory = new MemoryResources { Limit = 128 << 20, Swap = 256 << 20 } });

        Assert.Equal(
            [
                ("memory/pscontainers/c1/memory.memsw.limit_in_bytes", "268435456"),
                ("memory/pscontainers/c1/memory.limit_in_bytes", "134217728"),
            ],
            _writes);
    }

    [Fact]
    public void Lowering_memory_writes_the_limit_before_memsw()
    {
        _fs.Write("134217728", "memory", "pscontainers", "c1", "memory.limit_in_bytes");

        Manager().Apply(new CgroupResources { Memory = new MemoryResources { Limit = 16 << 20, Swap = 32 << 20 } });

        Assert.Equal(
            [
                ("memory/pscontainers/c1/memory.limit_in_bytes", "16777216"),
                ("memory/pscontainers/c1/memory.memsw.limit_in_bytes", "33554432"),
            ],
            _writes);
    }

    [Fact]
    public void Memory_reservation_and_oom_killer_switch_are_written()
    {
        Manager().Apply(new CgroupResources { Memory = new MemoryResources { Reservation = 1 << 20, DisableOomKiller = true } });

        Assert.Equal("1048576", Leaf("memory", "memory.soft_limit_in_bytes"));
        Assert.Equal("1", Leaf("memory", "memory.oom_control"));
    }

    [Fact]
    public void Swap_without_swap_accounting_fails_only_when_it_differs_from_the_limit()
    {
        File.Delete(_fs.PathOf("memory", "pscontainers", "c1", "memory.memsw.limit_in_bytes"));
        var manager = Manager();

        var e = Assert.Throws<CgroupException>(() => manager.Apply(new CgroupResources
        {
            Memory = new MemoryResources { Limit = 64 << 20, Swap = 128 << 20 },
        }));
        Assert.Contains("swap accounting is not enabled", e.Message);
        Assert.Contains("memory.memsw.limit_in_bytes", e.Message);

        manager.Apply(new CgroupResources { Memory = new MemoryResources { Limit = 64 << 20, Swap = 64 << 20 } });
        manager.Apply(new CgroupResources { Memory = new MemoryResources { Limit = 32 << 20, Swap = -1 } });
        Assert.Equal("33554432", Leaf("memory", "memory.limit_in_bytes"));
    }

    [Fact]
    public void Cpu_settings_land_in_the_combined_cpu_cpuacct_hierarchy()
    {
        Manager().Apply(new CgroupResources
        {
            Cpu = new CpuResources { Shares = 512, Quota = 50000, Period = 200000, Cpus = "1", Mems = "0" },
        });

        Assert.Equal("512", Leaf("cpu,cpuacct", "cpu.shares"));
        Assert.Equal("50000", Leaf("cpu,cpuacct", "cpu.cfs_quota_us"));
        Assert.Equal("200000", Leaf("cpu,cpuacct", "cpu.cfs_period_us"));
        Assert.Equal("1", Leaf("cpuset", "cpuset.cpus"));
        Assert.Equal("0", Leaf("cpuset", "cpuset.mems"));
    }

    [Fact]
    public void Unlimited_cpu_quota_and_pids_are_minus_one_and_max()
    {
        _fs.Write("5", "pids", "pscontainers", "c1", "pids.max");

        Manager().Apply(new CgroupResources { Cpu = new CpuResources { Quota = 0 }, Pids = new PidsResources { Limit = -1 } });

        Assert.Equal("-1", Leaf("cpu,cpuacct", "cpu.cfs_quota_us"));
        Assert.Equal("max", Leaf("pids", "pids.max"));
    }

    [Fact]
    public void Block_io_weight_and_throttles_are_written_per_device()
    {
        Manager().Apply(new CgroupResources
        {
            BlockIo = new BlockIoResources
            {
                Weight = 300,
                WeightDevices = [new BlockIoWeightDevice(8, 0, 200)],
                ThrottleReadBps = [new BlockIoThrottleDevice(8, 0, 1048576)],
                ThrottleWriteIops = [new BlockIoThrottleDevice(8, 16, 50)],
            },
        });

        Assert.Equal("300", Leaf("blkio", "blkio.weight"));
        Assert.Equal("8:0 200", Leaf("blkio", "blkio.weight_device"));
        Assert.Equal("8:0 1048576", Leaf("blkio", "blkio.throttle.read_bps_device"));
        Assert.Equal("8:16 50", Leaf("blkio", "blkio.throttle.write_iops_device"));
    }

    [Fact]
    public void Device_rules_are_written_in_order_starting_with_deny_all()
    {
        Manager().Apply(new CgroupResources
        {
            Devices =
            [
                new DeviceRule(false),
                new DeviceRule(true, 'c', 1, 3, "rwm"),
                new DeviceRule(true, 'c', null, null, "m"),
                new DeviceRule(false, 'b', 8, 0, "w"),
            ],
        });

        Assert.Equal(
            [
                ("devices/pscontainers/c1/devices.deny", "a *:* rwm"),
                ("devices/pscontainers/c1/devices.allow", "c 1:3 rwm"),
                ("devices/pscontainers/c1/devices.allow", "c *:* m"),
                ("devices/pscontainers/c1/devices.deny", "b 8:0 w"),
            ],
            _writes);
    }

    [Fact]
    public void Invalid_device_rule_is_rejected_before_any_write()
    {
        var e = Assert.Throws<CgroupException>(() => Manager().Apply(new CgroupResources
        {
            Pids = new PidsResources { Limit = 4 },
            Devices = [new DeviceRule(true, 'x')],
        }));

        Assert.Contains("'x'", e.Message);
        Assert.Empty(_writes);
    }

    [Fact]
    public void Unified_resources_are_an_error_on_v1()
    {
        var e = Assert.Throws<CgroupException>(() => Manager().Apply(new CgroupResources
        {
            Unified = new Dictionary<string, string> { ["memory.high"] = "1" },
        }));

        Assert.Contains("cgroup v1", e.Message);
    }

    [Fact]
    public void A_missing_controller_is_ignored_until_the_resources_ask_for_it()
    {
        Directory.Delete(_fs.PathOf("pids"), recursive: true);
        var manager = Manager();

        manager.Create();
        manager.Apply(new CgroupResources { Memory = new MemoryResources { Limit = 1 << 20 } });
        var e = Assert.Throws<CgroupException>(() => manager.Apply(new CgroupResources { Pids = new PidsResources { Limit = 10 } }));

        Assert.Contains("pids controller is not available", e.Message);
        Assert.Equal("1048576", Leaf("memory", "memory.limit_in_bytes"));
    }

    [Fact]
    public void Freeze_and_thaw_write_freezer_state_and_report_it()
    {
        var manager = Manager();

        manager.Freeze();
        Assert.Equal("FROZEN", Leaf("freezer", "freezer.state"));
        Assert.Equal(CgroupFreezerState.Frozen, manager.GetFreezerState());

        manager.Thaw();
        Assert.Equal("THAWED", Leaf("freezer", "freezer.state"));
        Assert.Equal(CgroupFreezerState.Thawed, manager.GetFreezerState());
    }

    [Fact]
    public void Stats_are_read_from_the_v1_files()
    {
        _fs.Write("5000", "cpu,cpuacct", "pscontainers", "c1", "cpuacct.usage");
        _fs.Write("user 3\nsystem 1\n", "cpu,cpuacct", "pscontainers", "c1", "cpuacct.stat");
        _fs.Write("8192", "memory", "pscontainers", "c1", "memory.usage_in_bytes");
        _fs.Write("16384", "memory", "pscontainers", "c1", "memory.max_usage_in_bytes");
        _fs.Write("cache 4096\nrss 100\ntotal_cache 6000\n", "memory", "pscontainers", "c1", "memory.stat");
        _fs.Write("oom_kill_disable 0\nunder_oom 0\noom_kill 1\n", "memory", "pscontainers", "c1", "memory.oom_control");
        _fs.Write("2", "pids", "pscontainers", "c1", "pids.current");
        _fs.Write("10", "pids", "pscontainers", "c1", "pids.max");
        _fs.Write("8:0 Read 100\n8:0 Write 50\n8:0 Total 150\n8:16 Read 1\nTotal 151\n", "blkio", "pscontainers", "c1", "blkio.throttle.io_service_bytes_recursive");
        _fs.Write("8:0 Read 3\n8:0 Write 4\n", "blkio", "pscontainers", "c1", "blkio.throttle.io_serviced_recursive");

        var manager = Manager();
        CgroupStats s = manager.GetStats();

        Assert.Equal(5000UL, s.CpuUsageNanoseconds);
        Assert.Equal(30_000_000UL, s.CpuUserNanoseconds);
        Assert.Equal(10_000_000UL, s.CpuSystemNanoseconds);
        Assert.Equal(8192UL, s.MemoryUsage);
        Assert.Null(s.MemoryLimit);
        Assert.Equal(16384UL, s.MemoryMaxUsage);
        Assert.Equal(6000UL, s.MemoryCache);
        Assert.Equal(2UL, s.PidsCurrent);
        Assert.Equal(10UL, s.PidsLimit);
        Assert.Equal(101UL, s.BlockIoReadBytes);
        Assert.Equal(50UL, s.BlockIoWriteBytes);
        Assert.Equal(3UL, s.BlockIoReadOperations);
        Assert.Equal(4UL, s.BlockIoWriteOperations);
        Assert.Equal(1UL, s.OomKillCount);
        Assert.True(manager.OomKilled());
    }

    [Fact]
    public void GetPids_reads_child_cgroups_too()
    {
        _fs.Write("10\n11\n", "pids", "pscontainers", "c1", "cgroup.procs");
        _fs.Write("12\n", "pids", "pscontainers", "c1", "sub", "cgroup.procs");

        Assert.Equal([10, 11, 12], Manager().GetPids().Order());
    }

    [Fact]
    public void Remove_deletes_the_cgroup_from_every_hierarchy_and_is_idempotent()
    {
        var manager = Manager();

        manager.Remove();
        manager.Remove();

        Assert.False(manager.Exists);
        foreach (string h in s_hierarchies)
        {
            Assert.False(Directory.Exists(_fs.PathOf(h, "pscontainers", "c1")), h);
            Assert.True(Directory.Exists(_fs.PathOf(h, "pscontainers")), h);
        }
    }

    [Fact]
    public void Relative_path_is_placed_under_the_callers_own_cgroup_per_hierarchy()
    {
        string procSelf = _fs.PathOf("proc-self-cgroup");
        File.WriteAllText(procSelf, "9:name=systemd:/user.slice\n4:memory:/jobs/a\n3:cpu,cpuacct:/cpujobs\n0::/\n");

        var manager = (CgroupV1Manager)CgroupManagerFactory.Create("ctr1", new CgroupDriverOptions
        {
            Root = _fs.Root,
            Version = CgroupVersion.V1,
            ProcSelfCgroupPath = procSelf,
        });

        Assert.Equal(_fs.PathOf("memory", "jobs", "a", "ctr1"), manager.Dir("memory"));
        Assert.Equal(_fs.PathOf("cpu,cpuacct", "cpujobs", "ctr1"), manager.Dir("cpuacct"));
        Assert.Equal(_fs.PathOf("systemd", "user.slice", "ctr1"), manager.Dir("name=systemd"));
        Assert.Equal(_fs.PathOf("pids", "ctr1"), manager.Dir("pids"));
    }
}
