using PSContainers.Runtime.Monitor;
using PSContainers.Runtime.Mounts;
using PSContainers.Runtime.Spec;
using Xunit;

namespace PSContainers.Runtime.Tests.Monitor;

/// <summary>The idmap flags the engine gives the monitor survive its command line (and a handoff's re-exec) unchanged.</summary>
public sealed class OverlayIdMapFlagsTests
{
    private static readonly OverlayMount Overlay = OverlayMount.Parse("/s/l1:/s/l2,/c/upper,/c/work,/c/merged");

    [Fact]
    public void Maps_RoundTripThroughTheirTextForm()
    {
        List<LinuxIdMapping> uids = [new() { ContainerId = 0, HostId = 2_000_000_000, Size = 65536 }, new() { ContainerId = 65536, HostId = 100, Size = 1 }];
        List<LinuxIdMapping> gids = [new() { ContainerId = 0, HostId = 3_000_000_000, Size = 10 }];
        var text = IdMappedMounts.Format(uids, gids);
        Assert.Equal("0:2000000000:65536,65536:100:1/0:3000000000:10", text);
        var (u, g) = IdMappedMounts.Parse(text);
        Assert.Equal([2_000_000_000u, 100u], u.Select(m => m.HostId));
        Assert.Equal(10u, Assert.Single(g).Size);
    }

    [Theory]
    [InlineData("0:1:2")]
    [InlineData("0:1/0:x:2")]
    [InlineData("0:1:2:3/0:1:2")]
    public void MalformedMaps_AreRefused(string text) => Assert.Throws<ArgumentException>(() => IdMappedMounts.Parse(text));

    [Fact]
    public void Flags_RoundTripThroughTheMonitorsArguments()
    {
        var mapped = Overlay with { IdMap = "0:2000000000:65536/0:2000000000:65536", IdMapLowers = true, IdMappedBinds = ["/v/a/_data", "/v/b c/_data"] };
        var args = mapped.IdMapArguments().ToList();
        var flags = new Dictionary<string, string>();
        for (var i = 0; i < args.Count; i++)
        {
            flags[args[i]] = i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "";
        }

        var back = Overlay.WithIdMapFlags(flags);
        Assert.Equal(mapped.IdMap, back.IdMap);
        Assert.True(back.IdMapLowers);
        Assert.Equal(mapped.IdMappedBinds, back.IdMappedBinds);
    }

    [Fact]
    public void NoIdMap_MeansNoFlags_AndFlagsWithoutMapsAreRefused()
    {
        Assert.Empty(Overlay.IdMapArguments());
        Assert.Same(Overlay, Overlay.WithIdMapFlags(new Dictionary<string, string>()));
        Assert.Throws<ArgumentException>(() => Overlay.WithIdMapFlags(new Dictionary<string, string> { ["--idmap-lowers"] = "" }));
    }

    [Fact]
    public void BindTargets_LieBesideTheMergedDirectory()
    {
        Assert.Equal("/c/idmap/v0", OverlayMount.BindTarget("/c/merged", 0));
        Assert.Equal("/c/idmap/v12", OverlayMount.BindTarget("/c/merged/", 12));
    }
}
