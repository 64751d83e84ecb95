using System.Text.Json.Nodes;
using PSContainers.Core.Containers;
using PSContainers.Core.Network;
using PSContainers.Core.State;

namespace PSContainers.Core.Tests.Network;

/// <summary>Networks on disk: the conflist a CNI tool reads, the subnets chosen and refused, names.</summary>
public sealed class NetworkServiceTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose()
    {
        // Creating a network writes its rules for real: the root's chains go with the test.
        Service().Firewall.RemoveAll();
        _dir.Dispose();
    }

    private NetworkService Service() => new(new EnginePaths(Path.Combine(_dir.Path, "root"), Path.Combine(_dir.Path, "run")));

    private static string Iptables(params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo("iptables") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : "";
    }

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
        Assert.Equal(["bridge", "portmap", "tuning"], ((JsonArray)conflist["plugins"]!).Select(p => (string)p!["type"]!));
        var bridge = conflist["plugins"]![0]!;
        Assert.Equal(first.Bridge, (string?)bridge["bridge"]);
        // NAT is the network's own rule, not the plugin's per-container one.
        Assert.False((bool)bridge["ipMasq"]!);
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
        Assert.Equal(["bridge"], NetworkService.ContainerChain(list, hasPorts: false, hasMac: false).Plugins.Select(p => (string)p["type"]!));
        Assert.Equal(["bridge", "portmap", "tuning"], NetworkService.ContainerChain(list, hasPorts: true, hasMac: true).Plugins.Select(p => (string)p["type"]!));
    }

    [Fact]
    public void TheRulesLetEveryBridgeTakeRepliesBeforeAnyDropAndNoWayOutReachesAnotherBridge()
    {
        var service = Service();
        var open = new ContainerNetwork { Name = "b-open", Bridge = "psc0000000001", Subnet = "10.126.1.0/24" };
        var closed = new ContainerNetwork { Name = "a-closed", Bridge = "psc0000000002", Subnet = "10.126.2.0/24", Internal = true };
        var lines = service.Firewall.RulesText([open, closed]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var chain = service.Firewall.FilterChain;
        int At(string rule) => Array.IndexOf(lines, rule);
        var lastAccept = Math.Max(At($"-A {chain} -o psc0000000001 -m conntrack --ctstate DNAT -j ACCEPT"), At($"-A {chain} -o psc0000000002 -m conntrack --ctstate DNAT -j ACCEPT"));
        var drops = new[] { At($"-A {chain} -o psc0000000001 -j DROP"), At($"-A {chain} -o psc0000000002 -j DROP") };
        var outOpen = At($"-A {chain} -i psc0000000001 ! -o psc+ -j ACCEPT");
        Assert.All(drops, d => Assert.True(d > lastAccept && d < outOpen, string.Join('\n', lines)));
        Assert.Contains($"-A {chain} -i psc0000000002 -j DROP", lines);
        Assert.Contains($"-A {service.Firewall.NatChain} -s 10.126.1.0/24 ! -o psc0000000001 -j MASQUERADE", lines);
        Assert.DoesNotContain(lines, l => l.Contains("10.126.2.0/24", StringComparison.Ordinal));
        Assert.StartsWith("PSC-FWD-", chain, StringComparison.Ordinal);
        Assert.True(chain.Length <= 28);
    }

    [Fact]
    public void ABridgeLeftByAnEarlierNetworkOfTheSameNameIsDeletedWhenTheNameIsUsedAgain()
    {
        var service = Service();
        var first = service.Create(new NetworkCreateRequest { Name = "again" });
        service.Delete("again");
        // What a crash between the record's removal and the link's leaves: the bridge, with the old address.
        Run("ip", "link", "add", first.Bridge, "type", "bridge");
        Assert.True(Directory.Exists("/sys/class/net/" + first.Bridge));
        var second = service.Create(new NetworkCreateRequest { Name = "again" });
        Assert.Equal(first.Bridge, second.Bridge);
        Assert.False(Directory.Exists("/sys/class/net/" + first.Bridge));
        service.Delete("again");
    }

    private static void Run(string program, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(program);
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    private const string IdleNat = """
        *nat
        :PREROUTING ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        :CNI-HOSTPORT-DNAT - [0:0]
        :CNI-HOSTPORT-MASQ - [0:0]
        :CNI-HOSTPORT-SETMARK - [0:0]
        :NETAVARK-HOSTPORT-DNAT - [0:0]
        -A PREROUTING -m addrtype --dst-type LOCAL -j NETAVARK-HOSTPORT-DNAT
        -A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
        -A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
        -A POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ
        -A CNI-HOSTPORT-MASQ -m mark --mark 0x2000/0x2000 -j MASQUERADE
        -A CNI-HOSTPORT-SETMARK -m comment --comment "CNI portfwd masquerade mark" -j MARK --set-xmark 0x2000/0x2000
        COMMIT
        """;

    [Fact]
    public void TheCniPluginsSharedChainsGoWhenTheyHoldNothingForAnyContainer()
    {
        var script = NetworkFirewall.IdleCniChainsScript(IdleNat, "nat")!.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("*nat", script[0]);
        Assert.Contains("-D PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT", script);
        Assert.Contains("-D OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT", script);
        Assert.Contains("-D POSTROUTING -m comment --comment \"CNI portfwd requiring masquerade\" -j CNI-HOSTPORT-MASQ", script);
        Assert.Contains("-D CNI-HOSTPORT-MASQ -m mark --mark 0x2000/0x2000 -j MASQUERADE", script);
        Assert.Equal(["-X CNI-HOSTPORT-DNAT", "-X CNI-HOSTPORT-MASQ", "-X CNI-HOSTPORT-SETMARK"], script.Where(l => l.StartsWith("-X", StringComparison.Ordinal)));
        // Another engine's chains are not touched, and no chain is flushed (a rule added meanwhile makes -X fail).
        Assert.DoesNotContain(script, l => l.Contains("NETAVARK", StringComparison.Ordinal) || l.StartsWith("-F", StringComparison.Ordinal));
        Assert.Equal("COMMIT", script[^1]);

        // A container's published port (its DNAT chain) keeps them all.
        var inUse = IdleNat.Replace("COMMIT", ":CNI-DN-0123456789abcdef - [0:0]\n-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment \"dnat name: \\\"bridge\\\" id: \\\"x\\\"\" -m multiport --dports 8080 -j CNI-DN-0123456789abcdef\nCOMMIT", StringComparison.Ordinal);
        Assert.Null(NetworkFirewall.IdleCniChainsScript(inUse, "nat"));
        Assert.Null(NetworkFirewall.IdleCniChainsScript("*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n", "nat"));
    }

    [Fact]
    public void CreatingAndRemovingNetworksWritesAndRemovesTheirRulesOnTheHost()
    {
        var service = Service();
        var one = service.Create(new NetworkCreateRequest { Name = "one", Subnet = "10.126.21.0/24" });
        service.Create(new NetworkCreateRequest { Name = "two", Subnet = "10.126.22.0/24", Internal = true });
        var chain = Iptables("-S", service.Firewall.FilterChain);
        Assert.Contains($"-o {one.Bridge} -j DROP", chain);
        Assert.Contains($"-j {service.Firewall.FilterChain}", Iptables("-S", "FORWARD"));
        Assert.Contains("-s 10.126.21.0/24", Iptables("-t", "nat", "-S", service.Firewall.NatChain));
        Assert.DoesNotContain("10.126.22.0/24", Iptables("-t", "nat", "-S", service.Firewall.NatChain));

        service.Delete("one");
        Assert.DoesNotContain(one.Bridge, Iptables("-S", service.Firewall.FilterChain));
        service.Delete("two");
        Assert.Equal("", Iptables("-S", service.Firewall.FilterChain));
        Assert.DoesNotContain(service.Firewall.FilterChain, Iptables("-S", "FORWARD"));
        Assert.DoesNotContain(service.Firewall.NatChain, Iptables("-t", "nat", "-S", "POSTROUTING"));
    }
}
