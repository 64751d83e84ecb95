using PSContainers.Runtime.Spec;
using Xunit;

namespace PSContainers.Runtime.Tests.Spec;

public class DefaultSpecsTests
{
    [Fact]
    public void RuncTemplate_IsValidAndMatchesRuncShape()
    {
        var spec = SpecLoader.Parse(SpecLoader.Serialize(DefaultSpecs.ForRuncSpecCommand()));

        Assert.True(spec.Process!.Terminal);
        Assert.Equal(["sh"], spec.Process.Args!);
        Assert.Equal(["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"], spec.Process.Capabilities!.Bounding!);
        var nofile = Assert.Single(spec.Process.Rlimits!);
        Assert.Equal(("RLIMIT_NOFILE", 1024ul, 1024ul), (nofile.Type, nofile.Hard, nofile.Soft));
        Assert.Equal("rootfs", spec.Root!.Path);
        Assert.Equal(["/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"], spec.Mounts!.Select(m => m.Destination));
        Assert.Equal(["pid", "network", "ipc", "uts", "mount"], spec.Linux!.Namespaces!.Select(n => n.Type));
        Assert.Contains("/proc/kcore", spec.Linux.MaskedPaths!);
        Assert.Contains("/proc/sysrq-trigger", spec.Linux.ReadonlyPaths!);
    }

    [Fact]
    public void Engine_HasDockersFourteenCapabilities()
    {
        var caps = DefaultSpecs.ForEngine("/r", ["sh"]).Process!.Capabilities!;

        string[] docker = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
            "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"];
        Assert.Equal(14, caps.Bounding!.Count);
        Assert.Equal(docker.Order(), caps.Bounding.Order());
        Assert.Equal(docker.Order(), caps.Effective!.Order());
        Assert.Equal(docker.Order(), caps.Permitted!.Order());
        Assert.Null(caps.Ambient);
        Assert.DoesNotContain("CAP_SYS_ADMIN", caps.Bounding);
    }

    [Fact]
    public void Engine_RlimitsFollowThisProcessHardLimits()
    {
        var rlimits = DefaultSpecs.ForEngine("/r", ["sh"]).Process!.Rlimits!;

        // Read the limits from /proc rather than getrlimit so the test does not trust the code under test.
        var nofile = rlimits.Single(r => r.Type == "RLIMIT_NOFILE");
        Assert.Equal(HardLimitFromProc("Max open files"), nofile.Hard);
        Assert.Equal(nofile.Hard, nofile.Soft);
        Assert.Equal(HardLimitFromProc("Max processes"), rlimits.Single(r => r.Type == "RLIMIT_NPROC").Hard);
    }

    [Fact]
    public void Engine_MaskedAndReadonlyPathsAreDockers()
    {
        var linux = DefaultSpecs.ForEngine("/r", ["sh"]).Linux!;

        Assert.Equal(["/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
            "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap"], linux.MaskedPaths!);
        Assert.Equal(["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"], linux.ReadonlyPaths!);
    }

    [Fact]
    public void Engine_DeviceCgroupDeniesAllThenAllowsDefaults()
    {
        var rules = DefaultSpecs.ForEngine("/r", ["sh"]).Linux!.Resources!.Devices!;

        Assert.False(rules[0].Allow);
        Assert.Null(rules[0].Type);
        Assert.Equal("rwm", rules[0].Access);
        Assert.All(rules.Skip(1), r => Assert.True(r.Allow));
        Assert.Contains(rules, r => r is { Type: "c", Major: null, Minor: null, Access: "m" });
        Assert.Contains(rules, r => r is { Type: "b", Major: null, Minor: null, Access: "m" });
        (long, long?)[] expected = [(1, 3), (1, 5), (1, 7), (1, 8), (1, 9), (5, 0), (5, 1), (5, 2), (136, null)];
        Assert.Equal(expected, rules.Where(r => r.Major is not null).Select(r => (r.Major!.Value, r.Minor)));
        Assert.DoesNotContain(rules, r => r is { Major: 10, Minor: 229 }); // fuse
    }

    [Fact]
    public void Engine_NamespacesAndValidity()
    {
        var withCgroup = DefaultSpecs.ForEngine("/r", ["sh", "-c", "true"], "web", cgroupNamespace: true);
        var withoutCgroup = DefaultSpecs.ForEngine("/r", ["sh"], cgroupNamespace: false);

        Assert.Equal(["pid", "network", "ipc", "uts", "mount", "cgroup"], withCgroup.Linux!.Namespaces!.Select(n => n.Type));
        Assert.Equal(["pid", "network", "ipc", "uts", "mount"], withoutCgroup.Linux!.Namespaces!.Select(n => n.Type));
        Assert.Equal("web", withCgroup.Hostname);
        Assert.Equal(["sh", "-c", "true"], withCgroup.Process!.Args!);
        SpecLoader.Parse(SpecLoader.Serialize(withCgroup));
    }

    [Fact]
    public void Engine_RejectsEmptyCommand()
    {
        Assert.Throws<ArgumentException>(() => DefaultSpecs.ForEngine("/r", []));
    }

    private static ulong HardLimitFromProc(string name)
    {
        var line = File.ReadLines("/proc/self/limits").Single(l => l.StartsWith(name, StringComparison.Ordinal));
        var fields = line[name.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields[1] == "unlimited" ? ulong.MaxValue : ulong.Parse(fields[1]);
    }
}
