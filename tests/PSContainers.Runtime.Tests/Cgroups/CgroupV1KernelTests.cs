using System.Diagnostics;
using PSContainers.Runtime.Cgroups;
using Xunit;

namespace PSContainers.Runtime.Tests.Cgroups;

// The v1 driver against the real kernel of these machines (root, cgroup v1 hybrid).
// Every test works in its own /pscontainers-test-<random> cgroup and removes it.
public sealed class CgroupV1KernelTests : IDisposable
{
    private const string Mount = "/sys/fs/cgroup";
    private readonly string _name = "pscontainers-test-" + Guid.NewGuid().ToString("N")[..10];
    private readonly List<System.Diagnostics.Process> _processes = [];
    private readonly ICgroupManager _manager;

    public CgroupV1KernelTests()
    {
        Assert.True(Environment.UserName == "root", "These tests need root (they create real cgroups).");
        Assert.True(Directory.Exists(Path.Join(Mount, "memory")), "These tests need a cgroup v1 memory hierarchy at /sys/fs/cgroup/memory.");
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
            _manager.Thaw();
        }
        catch (CgroupException)
        {
        }

        try
        {
            _manager.Remove();
        }
        catch (CgroupException)
        {
        }

        // Belt and braces: nothing of ours stays in any hierarchy even if Remove was wrong.
        foreach (string hierarchy in Directory.GetDirectories(Mount))
        {
            string leftover = Path.Join(hierarchy, _name);
            foreach (string child in Directory.Exists(leftover) ? Directory.GetDirectories(leftover) : [])
            {
                CgroupNative.RemoveDirectory(child);
            }

            CgroupNative.RemoveDirectory(leftover);
        }
    }

    private static string ReadKernel(string hierarchy, string relative, string file) =>
        File.ReadAllText(Path.Join(Mount, hierarchy, relative, file)).Trim();

    // The shell waits on stdin until it is in the cgroup, so nothing it starts escapes.
    private System.Diagnostics.Process StartInCgroup(string command, ICgroupManager manager)
    {
        var p = System.Diagnostics.Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "read go; " + command])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
        })!;
        _processes.Add(p);
        manager.AddProcess(p.Id);
        p.StandardInput.WriteLine("go");
        p.StandardInput.Close();
        return p;
    }

    [Fact]
    public void Applied_limits_read_back_from_the_kernel_files()
    {
        _manager.Create();
        _manager.Apply(new CgroupResources
        {
            Memory = new MemoryResources { Limit = 32 << 20, Swap = 64 << 20 },
            Pids = new PidsResources { Limit = 10 },
            Cpu = new CpuResources { Quota = 50000, Period = 100000, Shares = 512 },
        });

        Assert.Equal("33554432", ReadKernel("memory", _name, "memory.limit_in_bytes"));
        Assert.Equal("67108864", ReadKernel("memory", _name, "memory.memsw.limit_in_bytes"));
        Assert.Equal("10", ReadKernel("pids", _name, "pids.max"));
        Assert.Equal("50000", ReadKernel("cpu", _name, "cpu.cfs_quota_us"));
        Assert.Equal("100000", ReadKernel("cpu", _name, "cpu.cfs_period_us"));
        Assert.Equal("512", ReadKernel("cpu", _name, "cpu.shares"));
        CgroupStats stats = _manager.GetStats();
        Assert.Equal(33554432UL, stats.MemoryLimit);
        Assert.Equal(10UL, stats.PidsLimit);
    }

    [Fact]
    public void Raising_and_lowering_memory_with_swap_is_accepted_by_the_kernel()
    {
        // The kernel refuses memsw below the limit at every instant, so a wrong write order fails here.
        _manager.Create();
        _manager.Apply(new CgroupResources { Memory = new MemoryResources { Limit = 32 << 20, Swap = 64 << 20 } });
        _manager.Apply(new CgroupResources { Memory = new MemoryResources { Limit = 128 << 20, Swap = 256 << 20 } });
        Assert.Equal("134217728", ReadKernel("memory", _name, "memory.limit_in_bytes"));
        Assert.Equal("268435456", ReadKernel("memory", _name, "memory.memsw.limit_in_bytes"));

        _manager.Apply(new CgroupResources { Memory = new MemoryResources { Limit = 16 << 20, Swap = 16 << 20 } });
        Assert.Equal("16777216", ReadKernel("memory", _name, "memory.limit_in_bytes"));
        Assert.Equal("16777216", ReadKernel("memory", _name, "memory.memsw.limit_in_bytes"));

        _manager.Apply(new CgroupResources { Memory = new MemoryResources { Limit = 64 << 20, Swap = -1 } });
        Assert.Equal("67108864", ReadKernel("memory", _name, "memory.limit_in_bytes"));
    }

    [Fact]
    public void A_process_can_be_added_listed_frozen_thawed_killed_and_the_cgroup_removed()
    {
        _manager.Create();
        _manager.Apply(new CgroupResources { Pids = new PidsResources { Limit = 10 } });
        Process sleeper = StartInCgroup("exec sleep 30", _manager);

        Assert.Contains(sleeper.Id, _manager.GetPids());
        Assert.Contains(sleeper.Id.ToString(), ReadKernel("memory", _name, "cgroup.procs").Split('\n'));
        Assert.Equal(1UL, _manager.GetStats().PidsCurrent);

        _manager.Freeze();
        Assert.Equal("FROZEN", ReadKernel("freezer", _name, "freezer.state"));
        Assert.Equal(CgroupFreezerState.Frozen, _manager.GetFreezerState());

        _manager.Thaw();
        Assert.Equal("THAWED", ReadKernel("freezer", _name, "freezer.state"));

        _manager.Kill(9);
        Assert.True(sleeper.WaitForExit(5000), "the process survived Kill(9)");
        Assert.Equal(137, sleeper.ExitCode);

        _manager.Remove();
        Assert.False(_manager.Exists);
        foreach (string hierarchy in new[] { "memory", "cpu", "cpuacct", "cpuset", "blkio", "pids", "devices", "freezer", "systemd" })
        {
            Assert.False(Directory.Exists(Path.Join(Mount, hierarchy, _name)), hierarchy);
        }
    }

    [Fact]
    public void Kill_reaches_processes_in_child_cgroups_and_their_children()
    {
        _manager.Create();
        var inner = CgroupManagerFactory.Create($"/{_name}/inner");
        inner.Create();
        Process parent = StartInCgroup("sleep 30 & sleep 30 & wait", inner);
        Assert.True(SpinWait.SpinUntil(() => _manager.GetPids().Count == 3, 5000), "the shell did not start its two children");

        _manager.Kill(15);

        Assert.True(parent.WaitForExit(5000));
        Assert.True(SpinWait.SpinUntil(() => _manager.GetPids().Count == 0, 5000), "processes remain after SIGTERM");
        _manager.Remove();
        Assert.False(Directory.Exists(Path.Join(Mount, "memory", _name)));
    }

    [Fact]
    public void A_nested_new_cpuset_cgroup_accepts_a_process()
    {
        // Without copying cpuset.cpus/mems down each new level the kernel answers ENOSPC.
        var nested = CgroupManagerFactory.Create($"/{_name}/a/b");
        nested.Create();
        Assert.NotEqual("", ReadKernel("cpuset", $"{_name}/a/b", "cpuset.cpus"));

        Process p = StartInCgroup("exec sleep 30", nested);

        Assert.Contains(p.Id.ToString(), ReadKernel("cpuset", $"{_name}/a/b", "cgroup.procs").Split('\n'));
        nested.Kill(9);
        Assert.True(p.WaitForExit(5000));
        _manager.Remove();
        Assert.False(Directory.Exists(Path.Join(Mount, "cpuset", _name)));
    }

    [Fact]
    public void A_process_over_its_memory_limit_is_oom_killed_and_the_cgroup_says_so()
    {
        _manager.Create();
        _manager.Apply(new CgroupResources { Memory = new MemoryResources { Limit = 16 << 20, Swap = 16 << 20 } });
        Assert.False(_manager.OomKilled());

        // dd fills a 64 MiB buffer from /dev/zero: four times the limit.
        Process hog = StartInCgroup("exec dd if=/dev/zero of=/dev/null bs=64M count=1", _manager);

        Assert.True(hog.WaitForExit(10000), "the memory hog was not stopped");
        Assert.Equal(137, hog.ExitCode);
        Assert.True(_manager.OomKilled());
        Assert.True(_manager.GetStats().OomKillCount >= 1);
    }

    [Fact]
    public void Remove_of_a_cgroup_that_was_never_created_is_not_an_error()
    {
        Assert.False(_manager.Exists);

        _manager.Remove();

        Assert.False(_manager.Exists);
    }
}
