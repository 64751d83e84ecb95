using PSContainers.Core.Build.Cache;

namespace PSContainers.Core.Tests.Build.Executor;

/// <summary>A step's cache key names its inputs (parent, text, used args, files) and nothing else.</summary>
public sealed class BuildCacheKeyTests
{
    [Fact]
    public void EqualInputsGiveEqualKeysAndArgOrderDoesNotMatter()
    {
        var a = BuildCache.Key("parent", "RUN make", [new("A", "1"), new("B", "2")], null);
        var b = BuildCache.Key("parent", "RUN make", [new("B", "2"), new("A", "1")], null);
        Assert.Equal(a, b);
        Assert.Equal(64, a.Length);
    }

    [Theory]
    [InlineData("other-parent", "RUN make", "1", null)]
    [InlineData("parent", "RUN make all", "1", null)]
    [InlineData("parent", "RUN make", "2", null)]
    [InlineData("parent", "RUN make", "1", "files")]
    public void EachInputChangesTheKey(string parent, string text, string argValue, string? files)
    {
        var baseline = BuildCache.Key("parent", "RUN make", [new("A", "1")], null);
        Assert.NotEqual(baseline, BuildCache.Key(parent, text, [new("A", argValue)], files));
    }

    [Fact]
    public void NewlinesInTextCannotForgeAnotherInput()
    {
        // "x\narg A=1" as text must not equal text "x" with the arg A=1.
        Assert.NotEqual(BuildCache.Key("p", "x\narg A=1", [], null), BuildCache.Key("p", "x", [new("A", "1")], null));
    }

    [Fact]
    public void EntriesSurviveANewCacheObjectAndClearRemovesThem()
    {
        using var dir = new TempDirectory();
        var paths = new PSContainers.Core.State.EnginePaths(Path.Combine(dir.Path, "root"), Path.Combine(dir.Path, "run"));
        var key = BuildCache.Key("p", "ENV A=1", [], null);
        new BuildCache(paths).Put(new BuildCacheEntry
        {
            Key = key, CreatedBy = "ENV A=1", Layers = [new BuildLayer { ChainId = "sha256:" + new string('a', 64), Blob = "sha256:" + new string('b', 64) }],
        });

        var again = new BuildCache(paths);
        Assert.Equal("ENV A=1", again.TryGet(key)?.CreatedBy);
        Assert.Contains("sha256:" + new string('a', 64), again.References().Snapshots);
        Assert.Equal(1, again.Clear());
        Assert.Null(again.TryGet(key));
    }
}
