using PSContainers.Runtime.Cgroups;
using Xunit;

namespace PSContainers.Runtime.Tests.Cgroups;

// Finding the hierarchies from /proc/self/mountinfo, wherever and however they are mounted.
public sealed class CgroupLayoutDetectionTests : IDisposable
{
    private readonly FakeCgroupFs _fs = new();

    public void Dispose() => _fs.Dispose();

    private const string HybridMountInfo =
        "22 1 0:21 / /sys rw,nosuid - sysfs sysfs rw\n" +
        "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n" +
        "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:10 - cgroup cgroup rw,cpu,cpuacct\n" +
        "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n" +
        "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n" +
        "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n" +
        "41 1 0:38 / /mnt/my\\040cgroups/pids rw,relatime - cgroup cgroup rw,pids\n" +
        "42 1 0:31 /docker /mnt/memory-again rw,relatime - cgroup cgroup rw,memory\n";

    [Fact]
    public void V1_hierarchies_come_from_cgroup_mounts_with_their_controllers_and_unusual_places()
    {
        var hierarchies = CgroupManagerFactory.FindV1(MountInfoEntry.Parse(HybridMountInfo));

        Assert.Equal(
            ["/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/systemd", "/mnt/my cgroups/pids"],
            hierarchies.Select(h => h.MountPoint));
        Assert.Equal(["cpu", "cpuacct"], hierarchies[0].Controllers);
        Assert.Equal(["name=systemd"], hierarchies[2].Controllers);
    }

    [Fact]
    public void V2_hierarchy_prefers_sys_fs_cgroup()
    {
        const string text =
            "50 1 0:40 / /run/other rw - cgroup2 cgroup2 rw\n" +
            "51 1 0:40 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n";

        Assert.Equal("/sys/fs/cgroup", CgroupManagerFactory.FindV2(MountInfoEntry.Parse(text)).MountPoint);
    }

    [Fact]
    public void Mountinfo_with_mount_roots_maps_the_callers_cgroup_into_the_mount()
    {
        var memory = new CgroupHierarchy("/mnt/memory-again", "/docker", ["memory"]);

        Assert.Equal("/mnt/memory-again/abc/ctr", CgroupManagerFactory.Resolve(memory, "ctr", "/docker/abc"));
        Assert.Equal("/mnt/memory-again/pscontainers/x", CgroupManagerFactory.Resolve(memory, "/pscontainers/x", "/docker/abc"));
    }

    [Fact]
    public void Factory_uses_mountinfo_hierarchies_mounted_anywhere()
    {
        string cpu = _fs.PathOf("elsewhere", "cpu,cpuacct");
        string memory = _fs.PathOf("with space", "memory");
        // A fake tree cannot make the kernel's files appear on mkdir, so the leaf exists already.
        _fs.AddV1Cgroup("elsewhere/cpu,cpuacct", "pscontainers/m1");
        _fs.AddV1Cgroup("with space/memory", "pscontainers/m1");
        string mountInfo = _fs.PathOf("mountinfo");
        File.WriteAllText(mountInfo,
            $"31 30 0:28 / {cpu} rw - cgroup cgroup rw,cpu,cpuacct\n" +
            $"34 30 0:31 / {memory.Replace(" ", "\\040")} rw - cgroup cgroup rw,memory\n");

        var manager = CgroupManagerFactory.Create("/pscontainers/m1", new CgroupDriverOptions { MountInfoPath = mountInfo, Version = CgroupVersion.V1 });
        manager.Create();
        manager.Apply(new CgroupResources { Memory = new MemoryResources { Limit = 1 << 20 }, Cpu = new CpuResources { Shares = 256 } });

        Assert.Equal("1048576", File.ReadAllText(Path.Join(memory, "pscontainers", "m1", "memory.limit_in_bytes")).Trim());
        Assert.Equal("256", File.ReadAllText(Path.Join(cpu, "pscontainers", "m1", "cpu.shares")).Trim());
        manager.Remove();
        Assert.False(manager.Exists);
    }

    [Fact]
    public void This_hybrid_host_is_detected_as_v1_with_the_controllers_design_md_lists()
    {
        var mounts = MountInfoEntry.Parse(File.ReadAllText("/proc/self/mountinfo"));

        Assert.Equal(CgroupVersion.V1, CgroupManagerFactory.Detect(mounts));
        var controllers = CgroupManagerFactory.FindV1(mounts).SelectMany(h => h.Controllers).ToHashSet();
        foreach (string c in new[] { "memory", "cpu", "cpuacct", "cpuset", "blkio", "pids", "devices", "freezer" })
        {
            Assert.Contains(c, controllers);
        }
    }

    [Fact]
    public void Paths_with_dot_dot_are_refused()
    {
        var e = Assert.Throws<CgroupException>(() => CgroupManagerFactory.Create("/pscontainers/../../etc", new CgroupDriverOptions { Root = _fs.Root }));

        Assert.Contains("..", e.Message);
    }

    [Fact]
    public void Null_manager_does_nothing_and_reports_nothing()
    {
        ICgroupManager manager = new NullCgroupManager("/pscontainers/x");
        manager.Create();
        manager.Apply(new CgroupResources { Pids = new PidsResources { Limit = 1 } });
        manager.Kill(9);
        manager.Remove();

        Assert.Equal("/pscontainers/x", manager.Path);
        Assert.False(manager.Exists);
        Assert.Empty(manager.GetPids());
        Assert.Equal(CgroupFreezerState.Undefined, manager.GetFreezerState());
        Assert.Equal(0UL, manager.GetStats().PidsCurrent);
    }
}
