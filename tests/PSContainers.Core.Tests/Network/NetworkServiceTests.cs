using System.Text.Json.Nodes;
using PSContainers.Core.Containers;
using PSContainers.Core.Network;
using PSContainers.Core.State;

namespace PSContainers.Core.Tests.Network;

/// <summary>Networks on disk: the conflist a CNI tool reads, the subnets chosen and refused, names.</summary>
public sealed class NetworkServiceTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private NetworkService Service() => new(new EnginePaths(Path.Combine(_dir.Path, "root"), Path.Combine(_dir.Path, "run")));

    [Fact]
    public void TheDefaultNetworkIsMadeOnceWithAFreeSubnetOutsidePodmansAndItsConflistRunsTheChain()
    {
        var service = Service();
        var first = service.EnsureDefault();
        var again = service.EnsureDefault();
        Assert.Equal(first.Id, again.Id);
        Assert.True(first.IsDefault);
        var subnet = Ipv4Subnet.Parse(first.Subnet, "subnet");
        Assert.Equal(24, subnet.PrefixLength);
        Assert.False(subnet.Overlaps(Ipv4Subnet.Parse("10.88.0.0/16", "podman")));
        Assert.True(first.Bridge.Length <= 15);

        var conflist = (JsonObject)JsonNode.Parse(File.ReadAllText(first.ConfigFile))!;
        Assert.Equal("bridge", (string?)conflist["name"]);
        Assert.Equal(["bridge", "firewall", "portmap", "tuning"], ((JsonArray)conflist["plugins"]!).Select(p => (string)p!["type"]!));
        var bridge = conflist["plugins"]![0]!;
        Assert.Equal(first.Bridge, (string?)bridge["bridge"]);
        Assert.True((bool)bridge["ipMasq"]!);
        Assert.Equal(first.Subnet, (string?)bridge["ipam"]!["ranges"]![0]![0]!["subnet"]);
        Assert.Equal("0.0.0.0/0", (string?)bridge["ipam"]!["routes"]![0]!["dst"]);
    }

    [Fact]
    public void AnInternalNetworkHasNoNatAndNoDefaultRouteAndItsRangeStaysInTheSubnet()
    {
        var network = Service().Create(new NetworkCreateRequest
        {
            Name = "closed", Subnet = "10.126.9.0/24", Gateway = "10.126.9.254", IPRange = "10.126.9.128/25", Internal = true, Labels = { ["a"] = "b" },
        });
        var bridge = JsonNode.Parse(File.ReadAllText(network.ConfigFile))!["plugins"]![0]!;
        Assert.False((bool)bridge["ipMasq"]!);
        Assert.Null(bridge["ipam"]!["routes"]);
        var range = bridge["ipam"]!["ranges"]![0]![0]!;
        Assert.Equal("10.126.9.254", (string?)range["gateway"]);
        Assert.Equal("10.126.9.128", (string?)range["rangeStart"]);
        Assert.Equal("10.126.9.254", (string?)range["rangeEnd"]);
        Assert.Equal("b", Service().Get("closed").Labels["a"]);
    }

    [Theory]
    [InlineData("10.126.9.0/24", null, null, "overlaps the subnet")]
    [InlineData("10.126.10.0/24", "10.126.11.1", null, "-Gateway")]
    [InlineData("10.126.10.0/24", null, "10.126.0.0/16", "-IPRange")]
    [InlineData("10.126.10.1/24", null, null, "host bits")]
    public void BadSubnetsGatewaysAndRangesAreRefusedAndWriteNothing(string subnet, string? gateway, string? range, string message)
    {
        var service = Service();
        service.Create(new NetworkCreateRequest { Name = "first", Subnet = "10.126.9.0/24" });
        var e = Assert.Throws<ContainerEngineException>(() => service.Create(new NetworkCreateRequest { Name = "second", Subnet = subnet, Gateway = gateway, IPRange = range }));
        Assert.Contains(message, e.Message);
        Assert.Null(service.TryGet("second"));
        Assert.Equal(["first"], service.List().Select(n => n.Name));
    }

    [Theory]
    [InlineData("bridge")]
    [InlineData("host")]
    [InlineData("-bad")]
    [InlineData("a/b")]
    public void ReservedAndInvalidNamesAreRefused(string name) =>
        Assert.Throws<ContainerEngineException>(() => Service().Create(new NetworkCreateRequest { Name = name }));

    [Fact]
    public void ListMatchesWildcardsAndAContainerChainLeavesOutUnusedCapabilityPlugins()
    {
        var service = Service();
        foreach (var name in new[] { "app1", "app2", "other" })
        {
            service.Create(new NetworkCreateRequest { Name = name });
        }

        Assert.Equal(["app1", "app2"], service.List(["app*"]).Select(n => n.Name));
        Assert.Equal(3, service.List().Select(n => n.Subnet).Distinct().Count());
        var list = service.LoadConfig("app1");
        Assert.Equal(["bridge", "firewall"], NetworkService.ContainerChain(list, hasPorts: false, hasMac: false).Plugins.Select(p => (string)p["type"]!));
        Assert.Equal(["bridge", "firewall", "portmap", "tuning"], NetworkService.ContainerChain(list, hasPorts: true, hasMac: true).Plugins.Select(p => (string)p["type"]!));
    }
}
