using PSContainers.Runtime.Cgroups;
using Xunit;

namespace PSContainers.Runtime.Tests.Cgroups;

// The v2 driver and the resource fields v2 has files for (cpu.idle, cpu.max.burst, hugetlb.<size>.max) or lacks
// (swappiness, the realtime budget, net_cls/net_prio), against a fake unified hierarchy.
public sealed class CgroupV2ResourceFieldsTests : IDisposable
{
    private readonly FakeCgroupFs _fs = new();

    public CgroupV2ResourceFieldsTests()
    {
        _fs.AddV2Cgroup("");
        _fs.AddV2Cgroup("c1");
    }

    public void Dispose() => _fs.Dispose();

    private ICgroupManager Manager() => CgroupManagerFactory.Create("/c1", new CgroupDriverOptions { Root = _fs.Root });

    [Fact]
    public void Idle_burst_and_hugetlb_limits_are_written_to_their_v2_files()
    {
        string size = HugePageSizes.Available().First();
        _fs.Write("0", "c1", "cpu.idle");
        _fs.Write("0", "c1", "cpu.max.burst");
        _fs.Write("max", "c1", $"hugetlb.{size}.max");

        Manager().Apply(new CgroupResources
        {
            Cpu = new CpuResources { Idle = 1, Burst = 5000 },
            HugepageLimits = [new HugepageLimit(size, 1UL << 30)],
        });

        Assert.Equal("1", _fs.Read("c1", "cpu.idle"));
        Assert.Equal("5000", _fs.Read("c1", "cpu.max.burst"));
        Assert.Equal((1UL << 30).ToString(), _fs.Read("c1", $"hugetlb.{size}.max"));
    }

    [Fact]
    public void Idle_on_a_kernel_without_cpu_idle_is_refused_by_name()
    {
        var e = Assert.Throws<CgroupException>(() => Manager().Apply(new CgroupResources { Cpu = new CpuResources { Idle = 1 } }));
        Assert.Contains("linux.resources.cpu.idle", e.Message);
    }

    public static TheoryData<string, string> V1Only => new()
    {
        { "swappiness", "linux.resources.memory.swappiness" },
        { "realtime", "realtimeRuntime" },
        { "classID", "linux.resources.network.classID" },
        { "priorities", "linux.resources.network.priorities" },
    };

    [Theory]
    [MemberData(nameof(V1Only))]
    public void A_field_only_cgroup_v1_has_is_refused_by_name_before_anything_is_written(string field, string expected)
    {
        var resources = new CgroupResources
        {
            Memory = new MemoryResources { Limit = 64 << 20, Swappiness = field == "swappiness" ? 10UL : null },
            Cpu = field == "realtime" ? new CpuResources { RealtimeRuntime = 1000 } : null,
            Network = field switch
            {
                "classID" => new NetworkResources { ClassId = 1 },
                "priorities" => new NetworkResources { Priorities = [new InterfacePriority("lo", 1)] },
                _ => null,
            },
        };

        var e = Assert.Throws<CgroupException>(() => Manager().Apply(resources));

        Assert.Contains(expected, e.Message);
        Assert.Equal("max", _fs.Read("c1", "memory.max"));
    }

    [Fact]
    public void Swappiness_over_100_and_an_idle_value_other_than_0_or_1_are_refused()
    {
        Assert.Contains("0 to 100", Assert.Throws<CgroupException>(() =>
            Manager().Apply(new CgroupResources { Memory = new MemoryResources { Swappiness = 101 } })).Message);
        Assert.Contains("use 0 or 1", Assert.Throws<CgroupException>(() =>
            Manager().Apply(new CgroupResources { Cpu = new CpuResources { Idle = 2 } })).Message);
    }
}
