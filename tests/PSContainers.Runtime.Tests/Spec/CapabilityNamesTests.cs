using PSContainers.Runtime.Spec;
using Xunit;

namespace PSContainers.Runtime.Tests.Spec;

public class CapabilityNamesTests
{
    [Theory]
    [InlineData("CAP_CHOWN", 0)]
    [InlineData("CAP_SYS_ADMIN", 21)]
    [InlineData("sys_admin", 21)]
    [InlineData("Cap_Net_Admin", 12)]
    [InlineData("NET_RAW", 13)]
    [InlineData("CAP_AUDIT_WRITE", 29)]
    [InlineData("CAP_BPF", 39)]
    [InlineData("checkpoint_restore", 40)]
    public void Parse_AcceptsPrefixAndCaseVariants(string name, int expected)
    {
        Assert.Equal(expected, CapabilityNames.Parse(name));
    }

    [Theory]
    [InlineData("CAP_FLY")]
    [InlineData("")]
    [InlineData("CAP_")]
    [InlineData("41")]
    public void Parse_RejectsUnknownNames(string name)
    {
        var e = Assert.Throws<SpecException>(() => CapabilityNames.Parse(name));

        Assert.Contains("unknown capability", e.Message);
    }

    [Fact]
    public void AllFortyOne_RoundTrip()
    {
        Assert.Equal(41, CapabilityNames.All.Count);
        Assert.Equal(40, CapabilityNames.Last);
        for (var i = 0; i <= CapabilityNames.Last; i++)
        {
            Assert.Equal(i, CapabilityNames.Parse(CapabilityNames.ToName(i)));
        }
        Assert.Equal(41, CapabilityNames.All.Distinct().Count());
    }

    [Fact]
    public void ToName_RejectsOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CapabilityNames.ToName(41));
        Assert.Throws<ArgumentOutOfRangeException>(() => CapabilityNames.ToName(-1));
    }

    [Fact]
    public void Normalize_GivesConfigForm()
    {
        Assert.Equal("CAP_NET_ADMIN", CapabilityNames.Normalize("net_admin"));
    }

    [Fact]
    public void DefaultCapabilities_AreAllKnown()
    {
        Assert.All(DefaultSpecs.EngineCapabilities, c => CapabilityNames.Parse(c));
        Assert.All(DefaultSpecs.RuncCapabilities, c => CapabilityNames.Parse(c));
    }
}
