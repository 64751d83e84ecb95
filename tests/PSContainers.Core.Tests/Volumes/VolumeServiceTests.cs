using PSContainers.Core.Containers;
using PSContainers.Core.State;
using PSContainers.Core.Volumes;

namespace PSContainers.Core.Tests.Volumes;

public sealed class VolumeServiceTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly VolumeService _volumes;
    private readonly ContainerStore _containers;

    public VolumeServiceTests()
    {
        var paths = new EnginePaths(Path.Combine(_dir.Path, "root"), Path.Combine(_dir.Path, "run"));
        _volumes = new VolumeService(paths);
        _containers = new ContainerStore(paths);
    }

    public void Dispose() => _dir.Dispose();

    private StoredContainer AddUser(string name, params string[] volumes) => _containers.Add(new StoredContainer
    {
        Id = ContainerStore.NewId(),
        Name = name,
        Created = DateTimeOffset.UtcNow,
        Config = new ContainerCreateRequest
        {
            MountPoints = volumes.Select(v => new ContainerMount { Type = MountTypes.Volume, Name = v, Destination = "/" + v, Source = _volumes.Store.DataDir(v) }).ToList(),
        },
    });

    [Fact]
    public void CreateMakesTheDataDirectoryAndListsTheVolumeWithDockersFields()
    {
        var v = _volumes.Create("data", new Dictionary<string, string> { ["team"] = "web" });
        Assert.Equal("data", v.Name);
        Assert.Equal("local", v.Driver);
        Assert.Equal("local", v.Scope);
        Assert.Equal(Path.Combine(_dir.Path, "root", "volumes", "data", "_data"), v.Mountpoint);
        Assert.True(Directory.Exists(v.Mountpoint));
        Assert.Equal("web", v.Labels["team"]);
        Assert.False(v.Anonymous);
        var listed = Assert.Single(_volumes.List());
        Assert.Equal("data", listed.Name);
        Assert.Empty(listed.UsedBy);
    }

    [Fact]
    public void ANameIsGeneratedAs64HexAndTheVolumeCountsAsAnonymous()
    {
        var v = _volumes.Create(null);
        Assert.Matches("^[0-9a-f]{64}$", v.Name);
        Assert.True(v.Anonymous);
    }

    [Fact]
    public void CreatingAnExistingNameReturnsItUnlessTheOptionsDiffer()
    {
        var first = _volumes.Create("same");
        File.WriteAllText(Path.Combine(first.Mountpoint, "keep"), "x");
        var again = _volumes.Create("same");
        Assert.True(File.Exists(Path.Combine(again.Mountpoint, "keep")));
        var e = Assert.Throws<ContainerEngineException>(() => _volumes.Create("same", options: new Dictionary<string, string> { ["type"] = "tmpfs", ["device"] = "tmpfs" }));
        Assert.Equal("VolumeNameInUse", e.ErrorId);
    }

    [Theory]
    [InlineData("nfs", null, null, null, "Volume driver \"nfs\"")]
    [InlineData(null, "size", "10G", null, "xfs")]
    [InlineData(null, "colour", "red", null, "Unknown volume option \"colour\"")]
    [InlineData(null, "type", "tmpfs", null, "needs device")]
    [InlineData(null, "device", "/dev/sdb", null, "needs type")]
    [InlineData(null, "o", "size=1m", null, "needs type and device")]
    public void BadDriversAndOptionsAreRefusedByName(string? driver, string? key, string? value, string? unused, string message)
    {
        _ = unused;
        var options = key is null ? null : new Dictionary<string, string> { [key] = value! };
        var e = Assert.Throws<ContainerEngineException>(() => _volumes.Create("v1", options: options, driver: driver));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Empty(_volumes.List());
    }

    [Fact]
    public void ABindBackedVolumeNeedsAnAbsoluteDevice()
    {
        var e = Assert.Throws<ContainerEngineException>(() => _volumes.Create("b1", options: new Dictionary<string, string> { ["type"] = "none", ["device"] = "rel", ["o"] = "bind" }));
        Assert.Contains("absolute host path", e.Message, StringComparison.Ordinal);
        var ok = _volumes.Create("b2", options: new Dictionary<string, string> { ["type"] = "none", ["device"] = _dir.Path, ["o"] = "bind" });
        Assert.Equal("bind", ok.Options["o"]);
    }

    [Fact]
    public void AnInvalidNameIsRefusedWithDockersRule()
    {
        var e = Assert.Throws<ContainerEngineException>(() => _volumes.Create("a/b"));
        Assert.Contains("invalid characters for a local volume name", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UsersAreListedAndHoldTheVolumeUntilForce()
    {
        _volumes.Create("shared");
        AddUser("one", "shared");
        AddUser("two", "shared");
        Assert.Equal(["one", "two"], _volumes.Get("shared").UsedBy);
        var e = Assert.Throws<ContainerEngineException>(() => _volumes.Remove("shared", force: false));
        Assert.Equal("VolumeInUse", e.ErrorId);
        Assert.Contains("one, two", e.Message, StringComparison.Ordinal);
        // Created containers are not running: -Force takes the volume from under them.
        _volumes.Remove("shared", force: true);
        Assert.Throws<ContainerEngineException>(() => _volumes.Get("shared"));
        Assert.False(Directory.Exists(_volumes.Store.VolumeDir("shared")));
    }

    [Fact]
    public void RemovingAMissingVolumeSaysVolumeNotFound()
    {
        var e = Assert.Throws<ContainerEngineException>(() => _volumes.Remove("nope", force: true));
        Assert.Equal("VolumeNotFound", e.ErrorId);
    }

    [Fact]
    public void PruneTakesUnusedAnonymousVolumesAndWithAllTheNamedOnes()
    {
        var anon = _volumes.Create(null);
        var usedAnon = _volumes.Create(null);
        _volumes.Create("named");
        _volumes.Create("kept");
        AddUser("user", usedAnon.Name, "kept");
        File.WriteAllText(Path.Combine(anon.Mountpoint, "f"), new string('x', 1000));

        var first = _volumes.Prune(all: false);
        Assert.Equal([anon.Name], first.VolumesDeleted);
        Assert.Equal(1000, first.SpaceReclaimed);

        var second = _volumes.Prune(all: true);
        Assert.Equal(["named"], second.VolumesDeleted);
        Assert.Equal(new[] { "kept", usedAnon.Name }.Order(StringComparer.Ordinal), _volumes.List().Select(v => v.Name));
    }

    [Fact]
    public void DiskUsageCountsVolumesAndWhatAPruneWouldFree()
    {
        var a = _volumes.Create("aa");
        var b = _volumes.Create("bb");
        File.WriteAllText(Path.Combine(a.Mountpoint, "f"), new string('x', 300));
        File.WriteAllText(Path.Combine(b.Mountpoint, "f"), new string('x', 200));
        AddUser("user", "aa");
        var row = _volumes.DiskUsage();
        Assert.Equal("Volumes", row.Type);
        Assert.Equal(2, row.Total);
        Assert.Equal(1, row.Active);
        Assert.Equal(500, row.Size);
        Assert.Equal(200, row.Reclaimable);
    }

    [Fact]
    public void ADirectoryWithoutItsRecordIsACrashLeftoverAndNotListed()
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, "root", "volumes", "half", "_data"));
        Assert.Empty(_volumes.List());
        var v = _volumes.Create("half");
        Assert.Equal("half", v.Name);
    }

    [Fact]
    public void ConcurrentCreatesOfOneNameMakeOneVolume()
    {
        var results = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 8, _ => results.Add(_volumes.Create("race").Mountpoint));
        Assert.Single(results.Distinct());
        Assert.Single(_volumes.List());
    }
}
