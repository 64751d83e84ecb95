using PSContainers.Runtime.Spec;

using Xunit;

namespace PSContainers.Runtime.Tests.Integration;

/// <summary>What a process inside a pscrun container can see of the host: as little as the config says.</summary>
[Collection("pscrun")]
public sealed class IsolationTests : IClassFixture<PscrunFixture>
{
    private readonly PscrunFixture _f;

    public IsolationTests(PscrunFixture f)
    {
        _f = f;
    }

    [Fact]
    public void TheProcessIsPid1AndSeesTheConfiguredHostname()
    {
        var r = _f.Run(new[] { "sh", "-c", "echo $$; hostname" });
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(new[] { "1", "psc-test" }, r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void NoHostProcessIsVisible()
    {
        var r = _f.Run(new[] { "sh", "-c", "ls /proc | grep '^[0-9]*$' | wc -l; ls /proc/1/exe >/dev/null && readlink /proc/1/exe" });
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // sh, ls, grep and wc at most: the host has hundreds.
        Assert.InRange(int.Parse(lines[0]), 1, 5);
        Assert.Equal("/bin/busybox", lines[1]);
    }

    [Fact]
    public void ANewNetworkNamespaceHasOnlyLoopback()
    {
        var r = _f.Run(new[] { "sh", "-c", "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '" });
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(new[] { "lo" }, r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void TheLoopbackOfANewNetworkNamespaceIsUpWith127001AndIpv6()
    {
        // IFF_UP is bit 0 of /sys/class/net/lo/flags; the kernel gives an up loopback 127.0.0.1 and ::1 itself.
        // A server on 127.0.0.1 answers a client in the same container, as in runc and crun containers.
        var r = _f.Run(new[]
        {
            "sh", "-c",
            "cat /sys/class/net/lo/flags; grep -c '00000000000000000000000000000001 01 80 10 80 *lo' /proc/net/if_inet6; " +
            "(echo pong | nc -l -p 7777 &) ; i=0; while [ $i -lt 50 ]; do r=$(nc 127.0.0.1 7777 </dev/null 2>/dev/null) && [ -n \"$r\" ] && break; i=$((i+1)); usleep 100000; done; echo \"got:$r\"",
        });
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True((Convert.ToInt32(lines[0], 16) & 1) == 1, r.ToString());
        Assert.Equal("1", lines[1]);
        Assert.Equal("got:pong", lines[2]);
    }

    [Fact]
    public void AJoinedNetworkNamespaceIsLeftAsItIs()
    {
        // A container that joins the host's network namespace by path (here the test's own, the host's) must not touch its interfaces.
        var hostFlags = File.ReadAllText("/sys/class/net/lo/flags").Trim();
        var r = _f.Run(new[] { "sh", "-c", "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort" }, spec =>
        {
            var net = spec.Linux!.Namespaces!.First(n => n.Type == LinuxNamespaceType.Network);
            net.Path = $"/proc/{Environment.ProcessId}/ns/net";
        });
        Assert.True(r.ExitCode == 0, r.ToString());
        var hostInterfaces = File.ReadAllLines("/proc/net/dev").Skip(2).Select(l => l.Split(':')[0].Trim()).Order(StringComparer.Ordinal);
        Assert.Equal(string.Join('\n', hostInterfaces), r.Stdout.Trim());
        Assert.Equal(hostFlags, File.ReadAllText("/sys/class/net/lo/flags").Trim());
    }

    [Fact]
    public void CapabilitiesAreExactlyWhatTheConfigLists()
    {
        var r = _f.Run(new[] { "sh", "-c", "grep -E '^Cap(Bnd|Eff|Prm)' /proc/self/status" }, spec =>
        {
            var caps = new List<string> { "CAP_KILL", "CAP_NET_BIND_SERVICE" };
            spec.Process!.Capabilities = new LinuxCapabilities { Bounding = caps, Effective = caps, Permitted = caps };
        });
        Assert.True(r.ExitCode == 0, r.ToString());
        // CAP_KILL is 5 and CAP_NET_BIND_SERVICE is 10: 0x420.
        Assert.Contains("CapBnd:\t0000000000000420", r.Stdout);
        Assert.Contains("CapEff:\t0000000000000420", r.Stdout);
        Assert.Contains("CapPrm:\t0000000000000420", r.Stdout);
    }

    [Fact]
    public void AmbientCapabilitiesAreRaisedOnlyWhenInheritableToo()
    {
        var r = _f.Run(new[] { "sh", "-c", "grep -E '^Cap(Inh|Amb)' /proc/self/status" }, spec =>
        {
            var caps = new List<string> { "CAP_KILL", "CAP_NET_BIND_SERVICE" };
            // crun's template: ambient listed, inheritable empty. Only CAP_KILL is both.
            spec.Process!.Capabilities = new LinuxCapabilities
            {
                Bounding = caps, Effective = caps, Permitted = caps, Inheritable = new List<string> { "CAP_KILL" }, Ambient = caps,
            };
        });
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("CapInh:\t0000000000000020", r.Stdout);
        Assert.Contains("CapAmb:\t0000000000000020", r.Stdout);
    }

    [Fact]
    public void MaskedPathsReadEmpty()
    {
        // /proc/timer_list has content on the host (this kernel has no /proc/kcore); /sys/firmware has entries.
        Assert.NotEmpty(File.ReadAllText("/proc/timer_list"));
        var r = _f.Run(new[] { "sh", "-c", "wc -c < /proc/timer_list; ls /sys/firmware | wc -l; ls /proc/acpi | wc -l" });
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(new[] { "0", "0", "0" }, r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void ReadonlyPathsRefuseWrites()
    {
        var r = _f.Run(new[] { "sh", "-c", "echo x > /proc/sys/kernel/domainname" });
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("Read-only file system", r.Stderr);
    }

    [Fact]
    public void AReadonlyRootRefusesWritesButTmpfsMountsStayWritable()
    {
        var r = _f.Run(new[] { "sh", "-c", "touch /x 2>&1; echo ok > /dev/shm/y && cat /dev/shm/y" }, spec => spec.Root!.Readonly = true);
        Assert.Contains("Read-only file system", r.Stdout);
        Assert.Contains("ok", r.Stdout);
    }

    [Fact]
    public void TheProcessRunsAsTheConfiguredUserWithEnvAndCwd()
    {
        var r = _f.Run(new[] { "sh", "-c", "id; echo $GREETING; pwd" }, spec =>
        {
            spec.Process!.User = new User { Uid = 1000, Gid = 1001, AdditionalGids = new List<uint> { 2000 } };
            spec.Process.Env = new List<string> { "PATH=/bin", "GREETING=hello" };
            spec.Process.Cwd = "/tmp";
        });
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(new[] { "uid=1000 gid=1001 groups=2000", "hello", "/tmp" }, r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void RlimitsAreApplied()
    {
        var r = _f.Run(new[] { "sh", "-c", "ulimit -n" }, spec =>
            spec.Process!.Rlimits = new List<LinuxRlimit> { new() { Type = "RLIMIT_NOFILE", Hard = 512, Soft = 256 } });
        Assert.Equal("256", r.Stdout.Trim());
    }

    [Fact]
    public void TheExitCodeOfTheProcessIsTheExitCodeOfRun()
    {
        var r = _f.Run(new[] { "sh", "-c", "exit 3" });
        Assert.Equal(3, r.ExitCode);
    }

    [Fact]
    public void DefaultDevicesWorkEvenWhenTheDeviceCgroupDeniesAll()
    {
        var r = _f.Run(new[] { "sh", "-c", "echo discard > /dev/null && head -c 4 /dev/zero | wc -c && head -c 8 /dev/urandom | wc -c" });
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(new[] { "4", "8" }, r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void AUserNamespaceMapsRootToAnUnprivilegedHostRange()
    {
        var r = _f.Run(new[] { "sh", "-c", "cat /proc/self/uid_map; id -u" }, spec =>
        {
            spec.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user" });
            spec.Linux.UidMappings = new List<LinuxIdMapping> { new() { ContainerId = 0, HostId = 100000, Size = 65536 } };
            spec.Linux.GidMappings = new List<LinuxIdMapping> { new() { ContainerId = 0, HostId = 100000, Size = 65536 } };
            // sysfs and cgroup need privileges over the host in a user namespace; keep the mounts that work.
            spec.Mounts = spec.Mounts!.Where(m => m.Type is not ("sysfs" or "cgroup")).ToList();
        });
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(new[] { "0", "100000", "65536" }, lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("0", lines[1]);
    }
}
