using PSContainers.Runtime.Cgroups;
using PSContainers.Runtime.Spec;
using Xunit;

namespace PSContainers.Runtime.Tests.Cgroups;

public sealed class ResourceMapperTests
{
    private static readonly LinuxDevice Tun = new() { Path = "/dev/net/tun", Type = "c", Major = 10, Minor = 200 };

    [Fact]
    public void ACreatedNodeGetsFullAccessWhenNoRuleNamesIt()
    {
        var resources = new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }] };
        var rules = ResourceMapper.MapForCreate(resources, [Tun]).Devices!;
        Assert.Equal(new DeviceRule(true, 'c', 10, 200, "rwm"), rules[^1]);
    }

    [Fact]
    public void ACreatedNodeKeepsTheAccessOfTheRuleThatNamesIt()
    {
        var resources = new LinuxResources
        {
            Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }, new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 10, Minor = 200, Access = "r" }],
        };
        var rules = ResourceMapper.MapForCreate(resources, [Tun]).Devices!;
        var tun = Assert.Single(rules, r => r.Major == 10 && r.Minor == 200);
        Assert.Equal("r", tun.Access);
    }

    [Fact]
    public void AWildcardRuleDoesNotStandForTheNode()
    {
        var resources = new LinuxResources
        {
            Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }, new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 10, Access = "r" }],
        };
        var rules = ResourceMapper.MapForCreate(resources, [Tun]).Devices!;
        Assert.Contains(new DeviceRule(true, 'c', 10, 200, "rwm"), rules);
    }
}
