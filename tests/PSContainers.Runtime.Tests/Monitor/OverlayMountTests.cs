using PSContainers.Native;
using Xunit;
using PSContainers.Runtime.Monitor;

namespace PSContainers.Runtime.Tests.Monitor;

/// <summary>Deep images: an overlay whose lowerdir= list is longer than a page still mounts, with every layer visible.</summary>
public sealed class OverlayMountTests : IDisposable
{
    private readonly string _dir = Path.Combine("/tmp", "psc-overlay-" + Guid.NewGuid().ToString("N")[..8], new string('d', 60));

    public OverlayMountTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        var merged = Path.Combine(_dir, "merged");
        if (OverlayMount.IsMountPoint(merged))
        {
            Libc.Umount2(merged, Consts.MNT_DETACH);
        }

        Directory.Delete(Path.GetDirectoryName(_dir)!, recursive: true);
    }

    private OverlayMount Make(int layers)
    {
        var lowers = new List<string>();
        for (var i = 0; i < layers; i++)
        {
            // Long names like the engine's snapshot paths: 100 of them exceed a page.
            var lower = Path.Combine(_dir, "l", $"{i:D4}-{new string('x', 40)}");
            Directory.CreateDirectory(lower);
            File.WriteAllText(Path.Combine(lower, $"layer{i}"), i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            File.WriteAllText(Path.Combine(lower, "top"), i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            lowers.Insert(0, lower);
        }

        foreach (var d in new[] { "upper", "work", "merged" })
        {
            Directory.CreateDirectory(Path.Combine(_dir, d));
        }

        return new OverlayMount(lowers, Path.Combine(_dir, "upper"), Path.Combine(_dir, "work"), Path.Combine(_dir, "merged"));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(100)]
    public void AVolatileOverlaySaysSoInMountinfoAndMountsAgainAfterItsMarkerWasLeft(int layers)
    {
        // The marker stays in the work directory after a volatile mount; the kernel refuses the pair while it is there.
        var overlay = Make(layers) with { Volatile = true };
        for (var round = 0; round < 2; round++)
        {
            overlay.Mount();
            try
            {
                var line = File.ReadLines("/proc/self/mountinfo").Single(l => l.Split(' ')[4] == overlay.Merged);
                Assert.Contains("volatile", line, StringComparison.Ordinal);
                File.WriteAllText(Path.Combine(overlay.Merged, "written"), round.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            finally
            {
                overlay.Unmount();
            }

            Assert.False(OverlayMount.IsMountPoint(overlay.Merged));
            Assert.True(Directory.Exists(Path.Combine(overlay.Work, "work", "incompat", "volatile")));
            Assert.Equal(round.ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(overlay.Upper, "written")));
        }
    }

    [Fact]
    public void MountsAHundredLayersWhoseOptionsExceedAPage()
    {
        var overlay = Make(100);
        Assert.True(overlay.Data.Length > OverlayMount.MaxDataLength);
        overlay.Mount();
        try
        {
            Assert.Equal("0", File.ReadAllText(Path.Combine(overlay.Merged, "layer0")));
            Assert.Equal("99", File.ReadAllText(Path.Combine(overlay.Merged, "top")));
            Assert.Equal(100, Directory.GetFiles(overlay.Merged, "layer*").Length);
        }
        finally
        {
            overlay.Unmount();
        }

        Assert.False(OverlayMount.IsMountPoint(overlay.Merged));
    }

    [Fact]
    public void MountsFromTheLowersDirectoryWithRelativeNames()
    {
        // The fallback for kernels without fsconfig "lowerdir+" (before 6.8).
        var overlay = Make(80);
        var cwd = Environment.CurrentDirectory;
        overlay.MountRelative();
        try
        {
            Assert.Equal(cwd, Environment.CurrentDirectory);
            Assert.Equal("79", File.ReadAllText(Path.Combine(overlay.Merged, "top")));
            Assert.Equal("0", File.ReadAllText(Path.Combine(overlay.Merged, "layer0")));
        }
        finally
        {
            overlay.Unmount();
        }
    }
}
