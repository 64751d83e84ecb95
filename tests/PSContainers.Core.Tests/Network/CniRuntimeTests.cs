using System.Text;
using System.Text.Json.Nodes;
using PSContainers.Core.Network;
using PSContainers.Core.Network.Cni;

namespace PSContainers.Core.Tests.Network;

/// <summary>The CNI runtime's chain rules, through the exec seam: prevResult, runtimeConfig, the cache, DEL order, undo on failure.</summary>
public sealed class CniRuntimeTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static CniConfigList List(params string[] types) => CniConfigList.Parse(Encoding.UTF8.GetBytes(
        "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"plugins\":[" + string.Join(',', types.Select(t => t switch
        {
            "portmap" => "{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true}}",
            _ => $"{{\"type\":\"{t}\",\"setting\":\"{t}-value\"}}",
        })) + "]}"), "test");

    private static CniRuntimeConf Rt() => new() { ContainerId = "c1", NetNs = "/run/netns/x", IfName = "eth0" };

    [Fact]
    public void AddThreadsEachResultIntoTheNextPluginAndCachesTheLast()
    {
        var exec = new FakeExec();
        var cni = new CniRuntime(["/plugins"], Path.Combine(_dir.Path, "cache"), exec);
        var result = cni.AddNetworkList(List("bridge", "firewall"), Rt());

        Assert.Equal(["ADD bridge", "ADD firewall"], exec.Calls.Select(c => $"{c.Env["CNI_COMMAND"]} {c.Plugin}"));
        Assert.Null(exec.Calls[0].Config["prevResult"]);
        Assert.Equal("bridge", (string?)exec.Calls[1].Config["prevResult"]!["by"]);
        Assert.Equal("net1", (string?)exec.Calls[1].Config["name"]);
        Assert.Equal("1.0.0", (string?)exec.Calls[1].Config["cniVersion"]);
        Assert.Equal("firewall-value", (string?)exec.Calls[1].Config["setting"]);
        Assert.Equal("/run/netns/x", exec.Calls[0].Env["CNI_NETNS"]);
        Assert.Equal("eth0", exec.Calls[0].Env["CNI_IFNAME"]);
        Assert.Equal("c1", exec.Calls[0].Env["CNI_CONTAINERID"]);
        Assert.Equal("/plugins", exec.Calls[0].Env["CNI_PATH"]);
        Assert.Equal("firewall", (string?)result["by"]);
        Assert.Equal("firewall", (string?)cni.ReadCache("net1", "c1", "eth0")!.Result!["by"]);
    }

    [Fact]
    public void RuntimeConfigCarriesOnlyTheCapabilitiesAPluginDeclares()
    {
        var exec = new FakeExec();
        var cni = new CniRuntime(["/plugins"], Path.Combine(_dir.Path, "cache"), exec);
        var rt = Rt();
        rt.CapabilityArgs["portMappings"] = new JsonArray(new JsonObject { ["hostPort"] = 8080, ["containerPort"] = 80, ["protocol"] = "tcp" });
        rt.CapabilityArgs["mac"] = "02:00:00:00:00:01";
        cni.AddNetworkList(List("bridge", "portmap"), rt);

        Assert.Null(exec.Calls[0].Config["runtimeConfig"]);
        var runtimeConfig = Assert.IsType<JsonObject>(exec.Calls[1].Config["runtimeConfig"]);
        Assert.Equal(["portMappings"], runtimeConfig.Select(kv => kv.Key));
        Assert.Equal(8080, (int)runtimeConfig["portMappings"]![0]!["hostPort"]!);
    }

    [Fact]
    public void DelRunsTheCachedConfigInReverseWithTheCachedResultAndForgetsIt()
    {
        var exec = new FakeExec();
        var cni = new CniRuntime(["/plugins"], Path.Combine(_dir.Path, "cache"), exec);
        cni.AddNetworkList(List("bridge", "firewall"), Rt());
        exec.Calls.Clear();

        // After a crash the engine knows only the cache: the list it holds is the one ADD ran.
        var cached = Assert.Single(cni.CachedAttachments("c1"));
        Assert.Equal(["bridge", "firewall"], cached.List.Plugins.Select(p => (string)p["type"]!));
        cached.Runtime.NetNs = "";
        cni.DelNetworkList(cached.List, cached.Runtime);

        Assert.Equal(["DEL firewall", "DEL bridge"], exec.Calls.Select(c => $"{c.Env["CNI_COMMAND"]} {c.Plugin}"));
        Assert.All(exec.Calls, c => Assert.Equal("firewall", (string?)c.Config["prevResult"]!["by"]));
        Assert.Equal("", exec.Calls[0].Env["CNI_NETNS"]);
        Assert.Empty(cni.CachedAttachments("c1"));
    }

    [Fact]
    public void AFailingAddIsUndoneByADelOfTheWholeChainAndCachesNothing()
    {
        var exec = new FakeExec { FailOn = "ADD firewall" };
        var cni = new CniRuntime(["/plugins"], Path.Combine(_dir.Path, "cache"), exec);
        var e = Assert.Throws<CniException>(() => cni.AddNetworkList(List("bridge", "firewall"), Rt()));

        Assert.Equal(11, e.Code);
        Assert.Contains("firewall", e.Message);
        Assert.Equal(["ADD bridge", "ADD firewall", "DEL firewall", "DEL bridge"], exec.Calls.Select(c => $"{c.Env["CNI_COMMAND"]} {c.Plugin}"));
        Assert.Empty(cni.CachedAttachments());
    }

    [Fact]
    public void CheckNeedsACachedResultAndPassesIt()
    {
        var exec = new FakeExec();
        var cni = new CniRuntime(["/plugins"], Path.Combine(_dir.Path, "cache"), exec);
        Assert.Throws<CniException>(() => cni.CheckNetworkList(List("bridge"), Rt()));
        cni.AddNetworkList(List("bridge"), Rt());
        cni.CheckNetworkList(List("bridge"), Rt());
        Assert.Equal("CHECK", exec.Calls[^1].Env["CNI_COMMAND"]);
        Assert.Equal("bridge", (string?)exec.Calls[^1].Config["prevResult"]!["by"]);
    }

    [Fact]
    public void AMissingPluginIsAnErrorThatNamesItAndTheSearchPath()
    {
        var cni = new CniRuntime(["/nowhere"], Path.Combine(_dir.Path, "cache"), new ProcessCniExec());
        var e = Assert.Throws<CniException>(() => cni.AddNetworkList(List("no-such-plugin"), Rt()));
        Assert.Contains("no-such-plugin", e.Message);
        Assert.Contains("/nowhere", e.Message);
    }

    [Fact]
    public void ARealPluginsErrorResultBecomesTheExceptionMessage()
    {
        // build.ps1 Bootstrap installs containernetworking-plugins. A namespace path that does not exist: the real bridge plugin answers with the spec's error object.
        var cni = new CniRuntime(["/usr/lib/cni"], Path.Combine(_dir.Path, "cache"), new ProcessCniExec());
        var list = CniConfigList.Parse(Encoding.UTF8.GetBytes(
            "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"bridge\",\"bridge\":\"psctestbr0\",\"ipam\":{}}]}"), "test");
        var rt = new CniRuntimeConf { ContainerId = "c1", NetNs = Path.Combine(_dir.Path, "no-netns"), IfName = "eth0" };
        CniException e;
        try
        {
            e = Assert.Throws<CniException>(() => cni.AddNetworkList(list, rt));
        }
        finally
        {
            // The plugin makes its bridge before it looks at the namespace.
            PSContainers.Native.NetLink.DeleteLinkIfExists("psctestbr0");
        }

        Assert.Equal("bridge", e.Plugin);
        Assert.NotEqual(0, e.Code);
        Assert.Empty(cni.CachedAttachments());
    }

    [Theory]
    [InlineData("80", "", 0, 0, 80, "tcp")]
    [InlineData("8080:80", "", 8080, 8080, 80, "tcp")]
    [InlineData("127.0.0.1:8080:80/udp", "127.0.0.1", 8080, 8080, 80, "udp")]
    [InlineData("0.0.0.0:9000-9010:53/UDP", "", 9000, 9010, 53, "udp")]
    public void PublishValuesParseAsDockerParsesThem(string text, string ip, int start, int end, int port, string protocol) =>
        Assert.Equal(new PortRequest(ip, start, end, port, protocol), PortRequest.Parse(text));

    [Theory]
    [InlineData("80/sctp")]
    [InlineData("70000")]
    [InlineData("9010-9000:80")]
    [InlineData("host:80:80")]
    [InlineData("[::1]:80:80")]
    [InlineData("1:2:3:4")]
    public void MalformedPublishValuesAreRefused(string text) => Assert.Throws<FormatException>(() => PortRequest.Parse(text));

    [Fact]
    public void SubnetsOverlapAndContainAsCidrSays()
    {
        var a = Ipv4Subnet.Parse("10.88.0.0/16", "s");
        Assert.True(a.Overlaps(Ipv4Subnet.Parse("10.88.7.0/24", "s")));
        Assert.False(a.Overlaps(Ipv4Subnet.Parse("10.89.0.0/24", "s")));
        Assert.True(Ipv4Subnet.TryParseAddress("10.88.255.254", out var inside) && a.Contains(inside));
        Assert.Throws<FormatException>(() => Ipv4Subnet.Parse("10.88.0.1/16", "s"));
        Assert.Throws<FormatException>(() => Ipv4Subnet.Parse("10.88.0.0/31", "s"));
    }

    /// <summary>Records each call and answers with a result that names the plugin that made it.</summary>
    private sealed class FakeExec : ICniExec
    {
        public List<(string Plugin, JsonObject Config, IReadOnlyDictionary<string, string> Env)> Calls { get; } = [];

        public string? FailOn { get; init; }

        public string? FindInPath(string plugin, IReadOnlyList<string> directories) => Path.Combine(directories[0], plugin);

        public byte[] ExecPlugin(string pluginPath, byte[] stdinData, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
        {
            var plugin = Path.GetFileName(pluginPath);
            Calls.Add((plugin, (JsonObject)JsonNode.Parse(stdinData)!, new Dictionary<string, string>(environment)));
            if (FailOn == $"{environment["CNI_COMMAND"]} {plugin}")
            {
                throw new CniException(plugin, 11, "try again later");
            }

            return environment["CNI_COMMAND"] == "ADD" ? Encoding.UTF8.GetBytes($"{{\"cniVersion\":\"1.0.0\",\"by\":\"{plugin}\"}}") : [];
        }
    }
}
