using PSContainers.Runtime.Spec;

using Xunit;

namespace PSContainers.Runtime.Tests.Integration;

/// <summary>Cgroup limits from linux.resources are enforced on the container's processes.</summary>
[Collection("pscrun")]
public sealed class ResourceLimitTests : IClassFixture<PscrunFixture>
{
    private readonly PscrunFixture _f;

    public ResourceLimitTests(PscrunFixture f)
    {
        _f = f;
    }

    [Fact]
    public void A32MiBMemoryLimitOomKillsABiggerAllocation()
    {
        // The shell holds 64 MiB in a variable: far more than the limit allows.
        var r = _f.Run(new[] { "sh", "-c", "x=$(head -c 67108864 /dev/zero | tr '\\0' a); echo survived ${#x}" }, spec =>
            spec.Linux!.Resources = new LinuxResources { Memory = new LinuxMemory { Limit = 32 << 20, Swap = 32 << 20 } });
        Assert.DoesNotContain("survived", r.Stdout);
        Assert.Equal(137, r.ExitCode);
    }

    [Fact]
    public void TheSameAllocationSurvivesWithoutALimit()
    {
        var r = _f.Run(new[] { "sh", "-c", "x=$(head -c 67108864 /dev/zero | tr '\\0' a); echo survived ${#x}" });
        Assert.Equal("survived 67108864", r.Stdout.Trim());
    }

    [Fact]
    public void APidsLimitStopsAForkLoop()
    {
        var r = _f.Run(new[] { "sh", "-c", "for i in $(seq 1 20); do sleep 1 & done; wait; echo done" }, spec =>
            spec.Linux!.Resources = new LinuxResources { Pids = new LinuxPids { Limit = 10 } });
        Assert.Contains("can't fork", r.Stderr);
    }

    [Fact]
    public void UpdateChangesTheMemoryLimitOfARunningContainer()
    {
        var id = PscrunFixture.NewId();
        var bundle = _f.NewBundle(new[] { "sleep", "60" }, spec =>
        {
            spec.Linux!.CgroupsPath = "/psc-test/" + id;
            spec.Linux.Resources = new LinuxResources { Memory = new LinuxMemory { Limit = 64 << 20 } };
        });
        try
        {
            Assert.Equal(0, _f.Pscrun("run", "-d", "--bundle", bundle, id).ExitCode);
            var file = $"/sys/fs/cgroup/memory/psc-test/{id}/memory.limit_in_bytes";
            Assert.Equal((64 << 20).ToString(), File.ReadAllText(file).Trim());
            var u = _f.Pscrun("update", "--memory", "48m", id);
            Assert.True(u.ExitCode == 0, u.ToString());
            Assert.Equal((48 << 20).ToString(), File.ReadAllText(file).Trim());
        }
        finally
        {
            _f.Pscrun("delete", "--force", id);
        }
    }
}
