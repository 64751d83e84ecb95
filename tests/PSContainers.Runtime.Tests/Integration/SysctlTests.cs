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

    [Fact]
    public void ASysctlOfNoNamespaceIsRefusedAndTheHostKeepsItsValue()
    {
        // vm.* belongs to the whole machine: runc refuses it ("not in a separate kernel namespace").
        AssertRefusedAndHostUnchanged("vm.swappiness", "/proc/sys/vm/swappiness", _ => { });
    }

    [Fact]
    public void ANetworkSysctlWithoutANetworkNamespaceIsRefusedAndTheHostKeepsItsValue()
    {
        AssertRefusedAndHostUnchanged("net.ipv4.ip_forward", IpForward, spec => spec.Linux!.Namespaces!.RemoveAll(n => n.Type == "network"));
    }

    private void AssertRefusedAndHostUnchanged(string key, string file, Action<PSContainers.Runtime.Spec.Spec> edit)
    {
        var hostBefore = File.ReadAllText(file).Trim();
        var other = hostBefore == "1" ? "0" : "1";
        var id = PscrunFixture.NewId();
        var bundle = _f.NewBundle(new[] { "true" }, spec =>
        {
            spec.Linux!.Sysctl = new Dictionary<string, string> { [key] = other };
            edit(spec);
        });
        try
        {
            var r = _f.Pscrun("create", "--bundle", bundle, id);
            Assert.True(r.ExitCode == 1, r.ToString());
            Assert.Contains(key, r.Stderr);
            Assert.Equal(hostBefore, File.ReadAllText(file).Trim());
            Assert.False(Directory.Exists(Path.Combine(_f.StateRoot, id)), "state directory left behind");
        }
        finally
        {
            _f.Pscrun("delete", "--force", id);
            // A runtime that wrote the host's value must not leave the machine changed for everyone else.
            if (File.ReadAllText(file).Trim() != hostBefore)
            {
                File.WriteAllText(file, hostBefore);
            }
        }
    }
}
