using Xunit;

namespace PSContainers.Runtime.Tests.Integration;

/// <summary>linux.sysctl is written inside the container's namespaces, never on the host.</summary>
[Collection("pscrun")]
public sealed class SysctlTests : IClassFixture<PscrunFixture>
{
    private const string IpForward = "/proc/sys/net/ipv4/ip_forward";

    private readonly PscrunFixture _f;

    public SysctlTests(PscrunFixture f)
    {
        _f = f;
    }

    [Fact]
    public void ANetworkSysctlAppliesToTheContainersNetworkNamespaceOnly()
    {
        var hostBefore = File.ReadAllText(IpForward).Trim();
        // The other value than the host's: a new netns inherits the host's ip_forward, so only this proves the write.
        var wanted = hostBefore == "1" ? "0" : "1";

        var r = _f.Run(new[] { "cat", IpForward }, spec =>
            spec.Linux!.Sysctl = new Dictionary<string, string> { ["net.ipv4.ip_forward"] = wanted });

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(wanted, r.Stdout.Trim());
        Assert.Equal(hostBefore, File.ReadAllText(IpForward).Trim());
    }
}
