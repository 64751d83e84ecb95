using PSContainers.Core.Containers;
using PSContainers.Core.Security;
using PSContainers.Runtime.Spec;

namespace PSContainers.Core.Tests.Security;

public class UserNamespaceSettingsTests
{
    private static UserNamespaceSettings Parse(string? userNs, string[]? uid = null, string[]? gid = null) =>
        UserNamespaceSettings.Parse(userNs, uid ?? [], gid ?? []);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("host")]
    [InlineData("HOST")]
    public void HostOrNothing_MeansNoUserNamespace(string? text) => Assert.Equal(UserNamespaceMode.Host, Parse(text).Mode);

    [Theory]
    [InlineData("auto", 65536u)]
    [InlineData("private", 65536u)]
    [InlineData("auto:size=1024", 1024u)]
    [InlineData("auto:", 65536u)]
    public void Auto_TakesItsSize(string text, uint size)
    {
        var s = Parse(text);
        Assert.Equal(UserNamespaceMode.Auto, s.Mode);
        Assert.Equal(size, s.AutoSize);
    }

    [Theory]
    [InlineData("junk", "junk")]
    [InlineData("auto:size=0", "size must be")]
    [InlineData("auto:size=x", "size must be")]
    [InlineData("auto:uidmapping=0:1:2", "uidmapping")]
    [InlineData("keep-id", "keep-id")]
    public void UnknownModesAndOptions_AreRefusedByName(string text, string named)
    {
        var e = Assert.Throws<ContainerEngineException>(() => Parse(text));
        Assert.Equal("InvalidArgument", e.ErrorId);
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UidMap_AloneGivesTheSameGidMap()
    {
        var s = Parse(null, ["0:100000:65536", "65536:300000:10"]);
        Assert.Equal(UserNamespaceMode.Explicit, s.Mode);
        Assert.Equal(2, s.GidMap.Count);
        Assert.Equal(300000u, s.GidMap[1].HostId);
        Assert.Equal(65536u, s.GidMap[1].ContainerId);
        Assert.Equal(10u, s.GidMap[1].Size);
    }

    [Fact]
    public void GidMap_AloneGivesTheSameUidMap()
    {
        var s = Parse("private", gid: ["0:5000:100"]);
        Assert.Equal(5000u, Assert.Single(s.UidMap).HostId);
    }

    [Theory]
    [InlineData("0:100000:0", "size 0")]
    [InlineData("0:100000", "CONTAINER:HOST:SIZE")]
    [InlineData("a:b:c", "CONTAINER:HOST:SIZE")]
    [InlineData("-1:100000:10", "CONTAINER:HOST:SIZE")]
    [InlineData("0:4294967290:10", "past the last id")]
    [InlineData("1:100000:65536", "container id 0")]
    public void BadRanges_AreRefusedWithTheValue(string map, string reason)
    {
        var e = Assert.Throws<ContainerEngineException>(() => Parse(null, [map]));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0:100000:65536", "1000:300000:10", "container")]
    [InlineData("0:100000:10", "10:100005:10", "host")]
    public void OverlappingRanges_AreRefused_SayingWhichSide(string a, string b, string side)
    {
        var e = Assert.Throws<ContainerEngineException>(() => Parse(null, [a, b]));
        Assert.Contains("overlap in their " + side, e.Message, StringComparison.Ordinal);
        Assert.Contains(a, e.Message, StringComparison.Ordinal);
        Assert.Contains(b, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AdjacentRanges_DoNotOverlap()
    {
        var s = Parse(null, ["0:100000:10", "10:100010:10"]);
        Assert.Equal(2, s.UidMap.Count);
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("host")]
    public void Maps_WithAnotherMode_AreRefused(string mode)
    {
        var e = Assert.Throws<ContainerEngineException>(() => Parse(mode, ["0:100000:65536"]));
        Assert.Contains("-UserNS " + mode, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SpecBuilder_AddsTheUserNamespace_AndBindsSysInsteadOfMountingSysfs()
    {
        var request = new ContainerCreateRequest
        {
            RootFs = "/nonexistent", Command = ["/bin/true"],
            UidMappings = [new LinuxIdMapping { ContainerId = 0, HostId = 2_000_000_000, Size = 65536 }],
            GidMappings = [new LinuxIdMapping { ContainerId = 0, HostId = 2_000_000_000, Size = 65536 }],
        };
        var spec = ContainerSpecBuilder.Build(new string('a', 64), request, "/nonexistent");
        Assert.Contains(spec.Linux!.Namespaces!, n => n.Type == LinuxNamespaceType.User && string.IsNullOrEmpty(n.Path));
        Assert.Equal(2_000_000_000u, Assert.Single(spec.Linux.UidMappings!).HostId);
        Assert.Equal(65536u, Assert.Single(spec.Linux.GidMappings!).Size);
        var sys = Assert.Single(spec.Mounts!, m => m.Destination == "/sys");
        Assert.Equal("bind", sys.Type);
        Assert.Equal("/sys", sys.Source);
        Assert.Contains("ro", sys.Options!);
        Assert.DoesNotContain(spec.Mounts!, m => m.Type == "sysfs");
    }

    [Fact]
    public void SpecBuilder_WithoutMaps_HasNoUserNamespace()
    {
        var spec = ContainerSpecBuilder.Build(new string('a', 64), new ContainerCreateRequest { RootFs = "/nonexistent", Command = ["/bin/true"] }, "/nonexistent");
        Assert.DoesNotContain(spec.Linux!.Namespaces!, n => n.Type == LinuxNamespaceType.User);
        Assert.Null(spec.Linux.UidMappings);
    }
}
