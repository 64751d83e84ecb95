using PSContainers.Core.Containers;

namespace PSContainers.Core.Tests;

public sealed class ContainerSpecBuilderTests : IDisposable
{
    private const string Id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private readonly TempDirectory _rootfs = new();

    public ContainerSpecBuilderTests()
    {
        Directory.CreateDirectory(Path.Combine(_rootfs.Path, "etc"));
        File.WriteAllLines(Path.Combine(_rootfs.Path, "etc/passwd"), ["root:x:0:0:root:/root:/bin/sh", "app:x:1000:1001:app:/home/app:/bin/sh"]);
        File.WriteAllLines(Path.Combine(_rootfs.Path, "etc/group"), ["root:x:0:", "staff:x:50:"]);
    }

    public void Dispose() => _rootfs.Dispose();

    private ContainerCreateRequest Request() => new() { RootFs = _rootfs.Path, Command = ["sh", "-c", "true"] };

    [Fact]
    public void DefaultsAreDockersWithTheShortIdAsHostname()
    {
        var spec = ContainerSpecBuilder.Build(Id, Request(), "/merged");
        Assert.Equal("/merged", spec.Root!.Path);
        Assert.Equal(Id[..12], spec.Hostname);
        Assert.Equal("/pscontainers/" + Id, spec.Linux!.CgroupsPath);
        Assert.Contains("CAP_CHOWN", spec.Process!.Capabilities!.Bounding!);
        Assert.DoesNotContain("CAP_SYS_ADMIN", spec.Process.Capabilities.Bounding!);
        Assert.Contains(spec.Process.Env!, e => e.StartsWith("PATH=/usr/local/sbin", StringComparison.Ordinal));
        Assert.Contains($"HOSTNAME={Id[..12]}", spec.Process.Env!);
        Assert.Contains(spec.Linux.Namespaces!, n => n.Type == "network" && n.Path is null);
    }

    [Fact]
    public void CapAddAndDropChangeEverySet()
    {
        var request = Request();
        request.CapAdd = ["NET_ADMIN", "cap_sys_time"];
        request.CapDrop = ["CHOWN"];
        var caps = ContainerSpecBuilder.Build(Id, request, "/m").Process!.Capabilities!;
        foreach (var set in new[] { caps.Bounding!, caps.Effective!, caps.Permitted! })
        {
            Assert.Contains("CAP_NET_ADMIN", set);
            Assert.Contains("CAP_SYS_TIME", set);
            Assert.DoesNotContain("CAP_CHOWN", set);
        }
    }

    [Fact]
    public void CapDropAllKeepsOnlyWhatIsAdded()
    {
        var request = Request();
        request.CapDrop = ["ALL"];
        request.CapAdd = ["KILL"];
        Assert.Equal(["CAP_KILL"], ContainerSpecBuilder.Build(Id, request, "/m").Process!.Capabilities!.Bounding!);
    }

    [Fact]
    public void CapAddAllGrantsEveryCapabilityTheHostCanGrant()
    {
        var request = Request();
        request.CapAdd = ["ALL"];
        var bounding = ContainerSpecBuilder.Build(Id, request, "/m").Process!.Capabilities!.Bounding!;
        // This machine's root lacks CAP_SYS_RESOURCE in its bounding set: "all" is what CapBnd holds, nothing more.
        var hostMask = Convert.ToUInt64(File.ReadLines("/proc/self/status").Single(l => l.StartsWith("CapBnd:", StringComparison.Ordinal))[7..].Trim(), 16);
        var expected = Enumerable.Range(0, 64).Where(n => (hostMask & (1UL << n)) != 0 && n <= PSContainers.Runtime.Spec.CapabilityNames.Last)
            .Select(PSContainers.Runtime.Spec.CapabilityNames.ToName);
        Assert.Equal(expected, bounding);
    }

    [Fact]
    public void AnUnknownCapabilityIsInvalidArgument()
    {
        var request = Request();
        request.CapAdd = ["FLY"];
        Assert.Equal("InvalidArgument", Assert.Throws<ContainerEngineException>(() => ContainerSpecBuilder.Build(Id, request, "/m")).ErrorId);
    }

    [Fact]
    public void PrivilegedUnmasksAndAllowsAllDevices()
    {
        var request = Request();
        request.Privileged = true;
        var spec = ContainerSpecBuilder.Build(Id, request, "/m");
        Assert.Empty(spec.Linux!.MaskedPaths!);
        Assert.Empty(spec.Linux.ReadonlyPaths!);
        var rule = Assert.Single(spec.Linux.Resources!.Devices!);
        Assert.True(rule.Allow);
        Assert.Contains("CAP_SYS_ADMIN", spec.Process!.Capabilities!.Bounding!);
    }

    [Theory]
    [InlineData(1.5, 150000)]
    [InlineData(0.5, 50000)]
    [InlineData(0.01, 1000)]
    public void CpusBecomeAQuotaPerHundredMillisecondPeriod(double cpus, long quota)
    {
        var request = Request();
        request.Resources.Cpus = Math.Min(cpus, Environment.ProcessorCount);
        var cpu = ContainerSpecBuilder.Build(Id, request, "/m").Linux!.Resources!.Cpu!;
        Assert.Equal(100000UL, cpu.Period);
        Assert.Equal(quota, cpu.Quota);
    }

    [Fact]
    public void MemoryAndSwapAndPidsAndWeightGoToTheCgroup()
    {
        var request = Request();
        request.Resources = new ContainerResources { Memory = 64 << 20, MemorySwap = 128 << 20, PidsLimit = 50, BlkioWeight = 300, CpuShares = 512, CpusetCpus = "0" };
        var r = ContainerSpecBuilder.Build(Id, request, "/m").Linux!.Resources!;
        Assert.Equal(64L << 20, r.Memory!.Limit);
        Assert.Equal(128L << 20, r.Memory.Swap);
        Assert.Equal(50, r.Pids!.Limit);
        Assert.Equal((ushort)300, r.BlockIo!.Weight);
        Assert.Equal(512UL, r.Cpu!.Shares);
        Assert.Equal("0", r.Cpu.Cpus);
    }

    [Fact]
    public void SwapBelowMemoryIsRefused()
    {
        var request = Request();
        request.Resources = new ContainerResources { Memory = 64 << 20, MemorySwap = 32 << 20 };
        Assert.Throws<ContainerEngineException>(() => ContainerSpecBuilder.Build(Id, request, "/m"));
    }

    [Theory]
    [InlineData("1000", 1000u, 1001u)]
    [InlineData("4242", 4242u, 0u)]
    [InlineData("1000:50", 1000u, 50u)]
    [InlineData("app", 1000u, 1001u)]
    [InlineData("app:staff", 1000u, 50u)]
    [InlineData("root", 0u, 0u)]
    public void UsersResolveFromTheRootFilesystem(string user, uint uid, uint gid)
    {
        var request = Request();
        request.User = user;
        var spec = ContainerSpecBuilder.Build(Id, request, "/m");
        Assert.Equal(uid, spec.Process!.User!.Uid);
        Assert.Equal(gid, spec.Process.User.Gid);
    }

    [Fact]
    public void ANamedUserSetsHome()
    {
        var request = Request();
        request.User = "app";
        Assert.Contains("HOME=/home/app", ContainerSpecBuilder.Build(Id, request, "/m").Process!.Env!);
    }

    [Fact]
    public void AnUnknownUserIsInvalidArgument()
    {
        var request = Request();
        request.User = "nobody-here";
        Assert.Equal("InvalidArgument", Assert.Throws<ContainerEngineException>(() => ContainerSpecBuilder.Build(Id, request, "/m")).ErrorId);
    }

    [Fact]
    public void EnvironmentOverridesPathAndLabelsBecomeAnnotations()
    {
        var request = Request();
        request.Environment = new() { ["PATH"] = "/bin", ["A"] = "1" };
        request.Labels = new() { ["tier"] = "web" };
        request.ReadOnly = true;
        var spec = ContainerSpecBuilder.Build(Id, request, "/m");
        Assert.Contains("PATH=/bin", spec.Process!.Env!);
        Assert.Contains("A=1", spec.Process.Env!);
        Assert.Equal("web", spec.Annotations!["tier"]);
        Assert.True(spec.Root!.Readonly);
    }

    [Fact]
    public void UlimitsReplaceTheDefaults()
    {
        var request = Request();
        request.Ulimits = ["nofile=512:1024", "core=0"];
        var rlimits = ContainerSpecBuilder.Build(Id, request, "/m").Process!.Rlimits!;
        var nofile = Assert.Single(rlimits, r => r.Type == "RLIMIT_NOFILE");
        Assert.Equal(512UL, nofile.Soft);
        Assert.Equal(1024UL, nofile.Hard);
        Assert.Contains(rlimits, r => r.Type == "RLIMIT_CORE" && r.Hard == 0);
    }

    [Theory]
    [InlineData("nofile")]
    [InlineData("bogus=1")]
    [InlineData("nofile=2:1")]
    public void BadUlimitsAreInvalidArgument(string ulimit) =>
        Assert.Throws<ContainerEngineException>(() => ContainerSpecBuilder.ParseUlimit(ulimit));

    [Fact]
    public void SignalsParseByNameAndNumber()
    {
        Assert.Equal(15, SignalNames.Parse("TERM"));
        Assert.Equal(9, SignalNames.Parse("SIGKILL"));
        Assert.Equal(10, SignalNames.Parse("usr1"));
        Assert.Equal(2, SignalNames.Parse("2"));
        Assert.Throws<ContainerEngineException>(() => SignalNames.Parse("NOPE"));
    }
}
