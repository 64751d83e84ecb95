using System.Diagnostics;
using PSContainers.Runtime.Cgroups;
using Xunit;

namespace PSContainers.Runtime.Tests.Cgroups;

// The v1 driver's less common controllers and files against this machine's real kernel (root, cgroup v1 hybrid):
// device rules as the kernel enforces them, blkio, memory soft limit and swappiness, realtime budget, cpu.idle,
// hugetlb, net_cls/net_prio, and the statistics. Each test works in its own cgroup and removes it.
public sealed class CgroupV1KernelResourceTests : IDisposable
{
    private const string Mount = "/sys/fs/cgroup";
    private readonly string _name = "pscontainers-test-" + Guid.NewGuid().ToString("N")[..10];
    private readonly string _scratch = Directory.CreateTempSubdirectory("psc-cg-").FullName;
    private readonly List<System.Diagnostics.Process> _processes = [];
    private readonly ICgroupManager _manager;

    public CgroupV1KernelResourceTests()
    {
        Assert.True(Environment.UserName == "root", "These tests need root (they create real cgroups).");
        Assert.True(Directory.Exists(Path.Join(Mount, "devices")), "These tests need the cgroup v1 hierarchies at /sys/fs/cgroup.");
        _manager = CgroupManagerFactory.Create("/" + _name);
    }

    public void Dispose()
    {
        foreach (System.Diagnostics.Process p in _processes)
        {
            try
            {
                p.Kill();
                p.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }

            p.Dispose();
        }

        try
        {
            _manager.Remove();
        }
        catch (CgroupException)
        {
        }

        foreach (string hierarchy in Directory.GetDirectories(Mount))
        {
            CgroupNative.RemoveDirectory(Path.Join(hierarchy, _name));
        }

        Directory.Delete(_scratch, recursive: true);
    }

    private string Kernel(string hierarchy, string file) => File.ReadAllText(Path.Join(Mount, hierarchy, _name, file)).Trim();

    // Runs a host shell command inside the cgroup (it waits on stdin until it has been moved there) and returns its output.
    private string RunInCgroup(string command)
    {
        var p = System.Diagnostics.Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "read go; " + command])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _scratch,
        })!;
        _processes.Add(p);
        _manager.AddProcess(p.Id);
        p.StandardInput.WriteLine("go");
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(120_000), $"'{command}' did not finish");
        return stdout.Result + stderr.Result;
    }

    [Fact]
    public void A_denied_device_can_be_neither_opened_nor_made_and_an_allowed_one_can()
    {
        _manager.Create();
        // Deny everything, then allow /dev/null (1:3) fully and /dev/zero (1:5) only to be read.
        _manager.Apply(new CgroupResources
        {
            Devices = [new DeviceRule(false, 'a', null, null, "rwm"), new DeviceRule(true, 'c', 1, 3, "rwm"), new DeviceRule(true, 'c', 1, 5, "r")],
        });

        string output = RunInCgroup(
            "echo x > /dev/null && echo null-write-ok; " +
            "head -c 1 /dev/zero > /dev/null && echo zero-read-ok; " +
            "(echo x > /dev/zero) 2>/dev/null && echo zero-write-ok || echo zero-write-denied; " +
            "(head -c 1 /dev/urandom) >/dev/null 2>&1 && echo urandom-read-ok || echo urandom-read-denied; " +
            "mknod mynull c 1 3 && echo mknod-null-ok; " +
            "mknod myzero c 1 5 2>/dev/null && echo mknod-zero-ok || echo mknod-zero-denied; " +
            "mknod mymem c 1 1 2>/dev/null && echo mknod-mem-ok || echo mknod-mem-denied");

        Assert.Contains("null-write-ok", output);
        Assert.Contains("zero-read-ok", output);
        Assert.Contains("zero-write-denied", output);
        Assert.Contains("urandom-read-denied", output);
        Assert.Contains("mknod-null-ok", output);
        Assert.Contains("mknod-zero-denied", output);
        Assert.Contains("mknod-mem-denied", output);
        Assert.Contains("c 1:3 rwm", Kernel("devices", "devices.list"));
    }

    [Fact]
    public void Blkio_weight_throttles_and_the_memory_soft_limit_and_swappiness_read_back_from_the_kernel()
    {
        (long major, long minor) = RootDevice();
        _manager.Create();
        _manager.Apply(new CgroupResources
        {
            Memory = new MemoryResources { Limit = 256 << 20, Reservation = 64 << 20, Swappiness = 17 },
            BlockIo = new BlockIoResources
            {
                Weight = 300,
                ThrottleReadBps = [new BlockIoThrottleDevice(major, minor, 10 << 20)],
                ThrottleWriteIops = [new BlockIoThrottleDevice(major, minor, 500)],
            },
        });

        Assert.Equal((64 << 20).ToString(), Kernel("memory", "memory.soft_limit_in_bytes"));
        Assert.Equal("17", Kernel("memory", "memory.swappiness"));
        string weightFile = File.Exists(Path.Join(Mount, "blkio", _name, "blkio.weight")) ? "blkio.weight" : "blkio.bfq.weight";
        Assert.Contains("300", Kernel("blkio", weightFile));
        // A per-device weight needs a device whose I/O scheduler has weights (BFQ, or CFQ on old kernels).
        var perDevice = new CgroupResources { BlockIo = new BlockIoResources { WeightDevices = [new BlockIoWeightDevice(major, minor, 200)] } };
        if (File.ReadAllText($"/sys/dev/block/{major}:{minor}/queue/scheduler").Contains("[bfq]", StringComparison.Ordinal))
        {
            _manager.Apply(perDevice);
            Assert.Contains($"{major}:{minor} 200", Kernel("blkio", weightFile + "_device"));
        }
        else
        {
            var e = Assert.Throws<CgroupException>(() => _manager.Apply(perDevice));
            Assert.Contains("weight_device", e.Message);
        }
        Assert.Equal($"{major}:{minor} {10 << 20}", Kernel("blkio", "blkio.throttle.read_bps_device"));
        Assert.Equal($"{major}:{minor} 500", Kernel("blkio", "blkio.throttle.write_iops_device"));
    }

    [Fact]
    public void The_statistics_count_what_a_process_in_the_cgroup_did()
    {
        _manager.Create();
        (long major, long minor) = RootDevice();
        // blk-throttle counts I/O only for cgroups with a throttle rule on the device (kernel 5.x on): a generous one.
        _manager.Apply(new CgroupResources
        {
            Memory = new MemoryResources { Limit = 256 << 20 },
            Pids = new PidsResources { Limit = 50 },
            BlockIo = new BlockIoResources { ThrottleWriteBps = [new BlockIoThrottleDevice(major, minor, 1UL << 32)] },
        });
        // CPU time, memory, and 4 MiB written to the root disk with O_DIRECT, so the block layer sees it in this cgroup.
        string output = RunInCgroup(
            "i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done; " +
            "dd if=/dev/zero of=direct.bin bs=1M count=4 oflag=direct 2>&1 >/dev/null | tail -n 1; echo written");
        Assert.Contains("written", output);

        CgroupStats stats = _manager.GetStats();
        Assert.True(stats.CpuUsageNanoseconds > 0, "cpuacct.usage should count the shell's loop");
        Assert.True(stats.MemoryMaxUsage > 0, "memory.max_usage_in_bytes should count the shell");
        Assert.Equal(256UL << 20, stats.MemoryLimit);
        Assert.Equal(50UL, stats.PidsLimit);
        Assert.True(stats.BlockIoWriteBytes >= 4UL << 20, $"blkio should count the 4 MiB direct write, counted {stats.BlockIoWriteBytes}");
        Assert.True(stats.BlockIoWriteOperations > 0);
    }

    [Fact]
    public void Realtime_budget_idle_burst_and_hugetlb_limits_read_back_or_are_refused_by_name()
    {
        _manager.Create();
        bool hasRt = File.Exists(Path.Join(Mount, "cpu", "cpu.rt_runtime_us"));
        bool hasIdle = File.Exists(Path.Join(Mount, "cpu", "cpu.idle"));
        var cpu = new CpuResources { RealtimePeriod = 1_000_000, RealtimeRuntime = 10_000, Idle = 1 };
        if (hasRt && hasIdle)
        {
            _manager.Apply(new CgroupResources { Cpu = cpu });
            Assert.Equal("1000000", Kernel("cpu", "cpu.rt_period_us"));
            Assert.Equal("10000", Kernel("cpu", "cpu.rt_runtime_us"));
            Assert.Equal("1", Kernel("cpu", "cpu.idle"));
        }
        else
        {
            var e = Assert.Throws<CgroupException>(() => _manager.Apply(new CgroupResources { Cpu = cpu }));
            Assert.Contains(hasRt ? "cpu.idle" : "realtimeRuntime", e.Message);
        }

        if (File.Exists(Path.Join(Mount, "cpu", _name, "cpu.cfs_burst_us")))
        {
            _manager.Apply(new CgroupResources { Cpu = new CpuResources { Quota = 50_000, Period = 100_000, Burst = 20_000 } });
            Assert.Equal("20000", Kernel("cpu", "cpu.cfs_burst_us"));
        }

        string? size = HugePageSizes.Available().FirstOrDefault();
        Assert.True(size is not null, "this test needs a kernel with huge pages (/sys/kernel/mm/hugepages)");
        if (Directory.Exists(Path.Join(Mount, "hugetlb")))
        {
            _manager.Apply(new CgroupResources { HugepageLimits = [new HugepageLimit(size!, 4UL << 30)] });
            Assert.Equal((4UL << 30).ToString(), Kernel("hugetlb", $"hugetlb.{size}.limit_in_bytes"));
        }
        else
        {
            var e = Assert.Throws<CgroupException>(() => _manager.Apply(new CgroupResources { HugepageLimits = [new HugepageLimit(size!, 1 << 21)] }));
            Assert.Contains("hugetlb", e.Message);
        }
    }

    [Fact]
    public void A_page_size_the_kernel_lacks_is_refused_before_anything_is_written()
    {
        _manager.Create();
        var e = Assert.Throws<CgroupException>(() => _manager.Apply(new CgroupResources
        {
            Memory = new MemoryResources { Limit = 96 << 20 },
            HugepageLimits = [new HugepageLimit("3MB", 1 << 22)],
        }));

        Assert.Contains("\"3MB\"", e.Message);
        Assert.Contains("hugepageLimits", e.Message);
        Assert.NotEqual((96 << 20).ToString(), Kernel("memory", "memory.limit_in_bytes"));
    }

    [Fact]
    public void Net_cls_and_net_prio_are_set_when_mounted_and_refused_by_name_when_not()
    {
        _manager.Create();
        var network = new CgroupResources { Network = new NetworkResources { ClassId = 0x100001, Priorities = [new InterfacePriority("lo", 5)] } };
        bool mounted = File.ReadAllText("/proc/self/mountinfo").Contains("net_cls", StringComparison.Ordinal)
            && File.ReadAllText("/proc/self/mountinfo").Contains("net_prio", StringComparison.Ordinal);
        if (mounted)
        {
            _manager.Apply(network);
            Assert.Equal(0x100001.ToString(), Kernel("net_cls", "net_cls.classid"));
            Assert.Contains("lo 5", Kernel("net_prio", "net_prio.ifpriomap"));
        }
        else
        {
            var e = Assert.Throws<CgroupException>(() => _manager.Apply(network));
            Assert.Contains("linux.resources.network.classID", e.Message);
            Assert.Contains("net_cls", e.Message);
        }
    }

    private static (long Major, long Minor) RootDevice()
    {
        // The disk of the root filesystem, as /proc/self/mountinfo names it (major:minor of a partition's disk
        // would be needed for a partition; these VMs mount the whole disk).
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            string[] f = line.Split(' ');
            if (f[4] == "/")
            {
                string[] mm = f[2].Split(':');
                return (long.Parse(mm[0]), long.Parse(mm[1]));
            }
        }

        throw new InvalidOperationException("no root mount in /proc/self/mountinfo");
    }
}
