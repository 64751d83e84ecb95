using System.Text.Json;
using System.Text.Json.Nodes;
using PSContainers.Runtime.Spec;
using Xunit;
using OciSpec = PSContainers.Runtime.Spec.Spec;

namespace PSContainers.Runtime.Tests.Spec;

public class SpecRoundTripTests
{
    [Theory]
    [InlineData(SpecSamples.RuncSpec)]
    [InlineData(SpecSamples.Everything)]
    public void ParseSerializeParse_KeepsEveryField(string json)
    {
        var first = SpecLoader.Parse(json);
        var written = SpecLoader.Serialize(first);
        var second = SpecLoader.Parse(written);

        // Comparing with the original text proves nothing was dropped or renamed, not just that we agree with ourselves.
        AssertJsonEqual(json, written);
        Assert.Equal(written, SpecLoader.Serialize(second));
    }

    [Fact]
    public void Parse_ReadsTypedValues()
    {
        var spec = SpecLoader.Parse(SpecSamples.Everything);

        Assert.Equal(1000u, spec.Process!.User!.Uid);
        Assert.Equal(4294967294u, spec.Process.User.AdditionalGids![1]);
        Assert.Equal(ulong.MaxValue, spec.Process.Rlimits![0].Hard);
        Assert.Equal(-999, spec.Process.OomScoreAdj);
        Assert.Equal(536870912L, spec.Linux!.Resources!.Memory!.Limit);
        Assert.Equal(-1L, spec.Linux.Resources.Memory.Swap);
        Assert.Equal(1024ul, spec.Linux.Resources.Cpu!.Shares);
        Assert.Equal(1000000L, spec.Linux.Resources.Cpu.Quota);
        Assert.Equal(100000u, spec.Linux.UidMappings![0].HostId);
        Assert.Equal(438u, spec.Linux.Devices![0].FileMode);
        Assert.Null(spec.Linux.Devices[2].Major);
        Assert.Null(spec.Linux.Resources.Devices![2].Minor);
        Assert.Equal(300ul, spec.Linux.Resources.BlockIo!.ThrottleReadIopsDevice![0].Rate);
        Assert.Equal(1048577u, spec.Linux.Resources.Network!.ClassId);
        Assert.Equal("SCMP_CMP_MASKED_EQ", spec.Linux.Seccomp!.Syscalls![2].Args![0].Op);
        Assert.Equal(-86400L, spec.Linux.TimeOffsets!["boottime"].Secs);
        Assert.Equal(5, spec.Hooks!.CreateRuntime![0].Timeout);
        Assert.Equal("1", spec.Process.ExecCpuAffinity!.Final);
    }

    [Fact]
    public void AbsentFields_StayAbsent()
    {
        const string minimal = """{"ociVersion":"1.2.0","root":{"path":"rootfs"},"process":{"args":["true"],"cwd":"/","user":{"uid":0,"gid":0}}}""";

        var written = SpecLoader.Serialize(SpecLoader.Parse(minimal));

        AssertJsonEqual(minimal, written);
    }

    [Fact]
    public void UnknownFields_AreTolerated()
    {
        var node = JsonNode.Parse(SpecSamples.Everything)!;
        node["org.example.extension"] = new JsonObject { ["anything"] = new JsonArray(1, 2, 3) };
        node["process"]!["futureField"] = "x";
        node["linux"]!["resources"]!["memory"]!["someNewKnob"] = 7;
        node["linux"]!["netDevices"] = new JsonObject { ["eth1"] = new JsonObject { ["name"] = "ctr1" } };

        var spec = SpecLoader.Parse(node.ToJsonString());

        Assert.Equal("/usr/bin/app", spec.Process!.Args![0]);
        Assert.Equal(536870912L, spec.Linux!.Resources!.Memory!.Limit);
    }

    [Fact]
    public void ProcessAlone_RoundTrips()
    {
        const string json = """{"terminal":true,"user":{"uid":0,"gid":0},"args":["sh"],"cwd":"/","env":["A=1"]}""";

        var process = JsonSerializer.Deserialize(json, SpecJsonContext.Default.Process)!;

        AssertJsonEqual(json, JsonSerializer.Serialize(process, SpecJsonContext.Default.Process));
    }

    [Fact]
    public void ResourcesAlone_RoundTrips()
    {
        const string json = """{"memory":{"limit":-1,"swap":-1},"cpu":{"quota":-1,"period":100000},"pids":{"limit":100}}""";

        var resources = JsonSerializer.Deserialize(json, SpecJsonContext.Default.LinuxResources)!;

        Assert.Equal(-1L, resources.Memory!.Limit);
        AssertJsonEqual(json, JsonSerializer.Serialize(resources, SpecJsonContext.Default.LinuxResources));
    }

    [Fact]
    public void State_WritesSpecNamesAndOmitsPidWhenStopped()
    {
        var state = new State { OciVersion = "1.2.0", Id = "abc", Status = ContainerStatus.Stopped, Bundle = "/b" };

        var json = JsonSerializer.Serialize(state, SpecJsonContext.Default.State);

        AssertJsonEqual("""{"ociVersion":"1.2.0","id":"abc","status":"stopped","bundle":"/b"}""", json);
    }

    [Fact]
    public void Features_RoundTrips()
    {
        const string json = """
        {"ociVersionMin":"1.0.0","ociVersionMax":"1.2.0","hooks":["prestart","createRuntime","poststop"],
         "mountOptions":["ro","rbind"],
         "linux":{"namespaces":["pid","user"],"capabilities":["CAP_CHOWN"],
                  "cgroup":{"v1":true,"v2":true,"systemd":false,"systemdUser":false,"rdma":false},
                  "seccomp":{"enabled":false,"actions":[],"operators":[],"archs":[],"knownFlags":[],"supportedFlags":[]},
                  "apparmor":{"enabled":false},"selinux":{"enabled":false},"intelRdt":{"enabled":false},
                  "mountExtensions":{"idmap":{"enabled":false}}},
         "annotations":{"org.opencontainers.runtime-spec.features.version":"1.2.0"},
         "potentiallyUnsafeConfigAnnotations":["com.example."]}
        """;

        var features = JsonSerializer.Deserialize(json, SpecJsonContext.Default.Features)!;

        Assert.True(features.Linux!.Cgroup!.V2);
        AssertJsonEqual(json, JsonSerializer.Serialize(features, SpecJsonContext.Default.Features));
    }

    private static void AssertJsonEqual(string expected, string actual)
    {
        var e = JsonNode.Parse(expected);
        var a = JsonNode.Parse(actual);
        Assert.True(JsonNode.DeepEquals(e, a), $"JSON differs.\nexpected: {e?.ToJsonString()}\nactual:   {a?.ToJsonString()}");
    }
}
