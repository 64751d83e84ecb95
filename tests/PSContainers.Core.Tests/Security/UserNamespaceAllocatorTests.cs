using PSContainers.Core.Containers;
using PSContainers.Core.Images.Snapshots;
using PSContainers.Core.Security;
using PSContainers.Runtime.Spec;

namespace PSContainers.Core.Tests.Security;

public sealed class UserNamespaceAllocatorTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Ranges_AreDisjoint_AndFirstFit()
    {
        var pool = new UserNamespaceAllocator(_dir.Path, 1_000_000, 65536 * 4);
        Assert.Equal(1_000_000u, pool.Allocate("a", 65536));
        Assert.Equal(1_065_536u, pool.Allocate("b", 65536));
        Assert.Equal(1_131_072u, pool.Allocate("c", 1000));
        pool.Release("b");
        // The hole b left takes a range that fits; a bigger one goes after c.
        Assert.Equal(1_065_536u, pool.Allocate("d", 65536));
        Assert.Equal(1_132_072u, pool.Allocate("e", 65536));
    }

    [Fact]
    public void TheSameContainer_GetsItsRangeAgain()
    {
        var pool = new UserNamespaceAllocator(_dir.Path, 1_000_000, 65536 * 4);
        var first = pool.Allocate("a", 65536);
        Assert.Equal(first, pool.Allocate("a", 65536));
        Assert.Single(pool.Held());
    }

    [Fact]
    public void AFullPool_IsRefusedWithItsOwnError()
    {
        var pool = new UserNamespaceAllocator(_dir.Path, 1_000_000, 65536 * 2);
        pool.Allocate("a", 65536);
        pool.Allocate("b", 65536);
        var e = Assert.Throws<ContainerEngineException>(() => pool.Allocate("c", 65536));
        Assert.Equal("UserNamespacePoolExhausted", e.ErrorId);
        pool.Release("a");
        Assert.Equal(1_000_000u, pool.Allocate("c", 65536));
    }

    [Fact]
    public void Reserved_ExplicitRanges_AreAvoided()
    {
        var pool = new UserNamespaceAllocator(_dir.Path, 1_000_000, 65536 * 4);
        pool.Reserve("explicit", 1_000_000 + 100, 10);
        var start = pool.Allocate("a", 65536);
        Assert.True(start >= 1_000_110, $"allocated {start}");
    }

    [Fact]
    public void Allocations_FromManyThreadsAndTwoAllocators_NeverOverlap()
    {
        var one = new UserNamespaceAllocator(_dir.Path, 1_000_000, 65536 * 64);
        var two = new UserNamespaceAllocator(_dir.Path, 1_000_000, 65536 * 64);
        var got = new System.Collections.Concurrent.ConcurrentBag<uint>();
        Parallel.For(0, 48, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            got.Add((i % 2 == 0 ? one : two).Allocate("c" + i, 65536)));
        var sorted = got.Order().ToList();
        Assert.Equal(48, sorted.Distinct().Count());
        for (var i = 1; i < sorted.Count; i++)
        {
            Assert.True(sorted[i] - sorted[i - 1] >= 65536, $"{sorted[i - 1]} and {sorted[i]} overlap");
        }

        Assert.Equal(48, one.Held().Count);
    }

    [Fact]
    public void ARangeLeftWithoutItsContainer_IsTakenBack_OnlyWhenOld()
    {
        var records = new HashSet<string> { "kept" };
        var pool = new UserNamespaceAllocator(_dir.Path, 1_000_000, 65536 * 3, id => records.Contains(id));
        var file = System.IO.Path.Combine(_dir.Path, "userns", "ranges");
        System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        // "lost": no record, handed out two hours ago (an engine killed mid-create); "young": no record yet, a create
        // in progress; "old-format": a line of an engine before times were written, without a record either.
        System.IO.File.WriteAllText(file, $"kept 1000000 65536 {now - 7200}\nlost 1065536 65536 {now - 7200}\nyoung 1131072 65536 {now}\n");
        Assert.Equal(1_065_536u, pool.Allocate("new", 65536));
        Assert.Equal(new[] { "kept", "new", "young" }, pool.Held().Keys.Order(StringComparer.Ordinal));

        System.IO.File.WriteAllText(file, "kept 1000000 65536\nold-format 1065536 65536\n");
        Assert.Equal(1_065_536u, pool.Allocate("other", 65536));
        Assert.DoesNotContain("old-format", pool.Held().Keys);
    }

    [Fact]
    public void WithoutARecordCheck_NoRangeIsTakenBack()
    {
        var pool = new UserNamespaceAllocator(_dir.Path, 1_000_000, 65536 * 2);
        var file = System.IO.Path.Combine(_dir.Path, "userns", "ranges");
        System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        System.IO.File.WriteAllText(file, "a 1000000 65536 0\nb 1065536 65536 0\n");
        Assert.Throws<ContainerEngineException>(() => pool.Allocate("c", 65536));
    }

    [Fact]
    public void ReleasingAnUnknownContainer_ChangesNothing()
    {
        var pool = new UserNamespaceAllocator(_dir.Path, 1_000_000, 65536 * 4);
        pool.Allocate("a", 65536);
        pool.Release("nobody");
        Assert.Single(pool.Held());
    }

    [Theory]
    [InlineData(0u, 2_000_000_000u)]
    [InlineData(1000u, 2_000_001_000u)]
    [InlineData(65535u, 2_000_065_535u)]
    [InlineData(65536u, 65536u)]
    public void Shift_MovesIdsThroughTheMaps_AndUnshiftUndoesIt(uint inside, uint onHost)
    {
        List<LinuxIdMapping> maps = [new LinuxIdMapping { ContainerId = 0, HostId = 2_000_000_000, Size = 65536 }];
        Assert.Equal(onHost, ShiftedLayerCache.Shift(inside, maps));
        Assert.Equal(inside, ShiftedLayerCache.Unshift(onHost, maps));
    }
}
