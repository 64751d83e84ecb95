using PSContainers.Core.State;

namespace PSContainers.Core.Tests;

public sealed class FileLockTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void OnlyOneHolderAtATimeAcrossThreads()
    {
        var path = Path.Combine(_dir.Path, "sub", "x.lock");
        var inside = 0;
        var maxInside = 0;
        Parallel.For(0, 32, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            using var held = FileLock.Acquire(path);
            var now = Interlocked.Increment(ref inside);
            InterlockedMax(ref maxInside, now);
            Thread.Sleep(2);
            Interlocked.Decrement(ref inside);
        });
        Assert.Equal(1, maxInside);
    }

    [Fact]
    public void AHeldLockTimesOutOtherAcquirers()
    {
        var path = Path.Combine(_dir.Path, "y.lock");
        using var held = FileLock.Acquire(path);
        Assert.Throws<TimeoutException>(() => FileLock.Acquire(path, TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public void DisposingReleasesTheLock()
    {
        var path = Path.Combine(_dir.Path, "z.lock");
        FileLock.Acquire(path).Dispose();
        using var again = FileLock.Acquire(path, TimeSpan.FromMilliseconds(100));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
