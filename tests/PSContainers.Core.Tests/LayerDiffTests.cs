using PSContainers.Core.Containers;

namespace PSContainers.Core.Tests;

public sealed class LayerDiffTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AddedChangedAndWhiteoutDeletedPathsAreReported()
    {
        var lower = Directory.CreateDirectory(Path.Combine(_dir.Path, "lower")).FullName;
        var upper = Directory.CreateDirectory(Path.Combine(_dir.Path, "upper")).FullName;
        Directory.CreateDirectory(Path.Combine(lower, "etc"));
        File.WriteAllText(Path.Combine(lower, "etc/hosts"), "old");
        File.WriteAllText(Path.Combine(lower, "gone"), "x");
        Directory.CreateDirectory(Path.Combine(upper, "etc"));
        File.WriteAllText(Path.Combine(upper, "etc/hosts"), "new");
        File.WriteAllText(Path.Combine(upper, "etc/added"), "a");
        // An overlay whiteout is a 0:0 character device; mknod needs root, which these tests run as.
        Assert.Equal(0, PSContainers.Native.Libc.Mknod(Path.Combine(upper, "gone"), 0x2000 | 0x180, 0));

        var changes = LayerDiff.Compute(upper, lower);
        Assert.Equal(
            [new ContainerChange("/etc", ContainerChangeKind.Changed), new ContainerChange("/etc/added", ContainerChangeKind.Added),
             new ContainerChange("/etc/hosts", ContainerChangeKind.Changed), new ContainerChange("/gone", ContainerChangeKind.Deleted)],
            changes);
    }
}
