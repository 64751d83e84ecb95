using PSContainers.Core.Containers;
using PSContainers.Native;
using Xunit;

namespace PSContainers.Core.Tests;

public unsafe class HostDevicesTests
{
    private static void Mknod(string path, uint type, uint major, uint minor, uint mode)
    {
        fixed (byte* p = Libc.Utf8(path))
        {
            var dev = ((ulong)(major & 0xfff) << 8) | ((ulong)(major & ~0xfffu) << 32) | (minor & 0xff) | ((ulong)(minor & ~0xffu) << 12);
            Assert.Equal(0, LibcAt.MknodAt(Consts.AT_FDCWD, p, type | mode, dev));
        }
    }

    [Fact]
    public void ListsCharAndBlockDevices_WithTheirNumbersModesAndOwners_SkippingTheRuntimesOwnAndSessionDirectories()
    {
        using var dir = new TempDirectory();
        var dev = dir.Path;
        Directory.CreateDirectory(Path.Join(dev, "net"));
        Directory.CreateDirectory(Path.Join(dev, "pts"));
        Mknod(Path.Join(dev, "fuse"), Consts.S_IFCHR, 10, 229, 0x1A4);
        Mknod(Path.Join(dev, "loop7"), Consts.S_IFBLK, 7, 7, 0x1A0);
        Mknod(Path.Join(dev, "net/tun"), Consts.S_IFCHR, 10, 200, 0x1B6);
        // A minor above 255 uses the high bits of the device number.
        Mknod(Path.Join(dev, "big"), Consts.S_IFCHR, 4095, 70000, 0x180);
        Mknod(Path.Join(dev, "null"), Consts.S_IFCHR, 1, 3, 0x1B6);
        Mknod(Path.Join(dev, "pts/0"), Consts.S_IFCHR, 136, 0, 0x190);
        File.WriteAllText(Path.Join(dev, "not-a-device"), "");
        File.CreateSymbolicLink(Path.Join(dev, "link-to-fuse"), "fuse");

        var devices = HostDevices.List(dev);
        Assert.Equal(["/dev/big", "/dev/fuse", "/dev/loop7", "/dev/net/tun"], devices.Select(d => d.Path));
        var fuse = devices[1];
        Assert.Equal(("c", 10L, 229L, 0x1A4u, 0u, 0u), (fuse.Type, fuse.Major, fuse.Minor, fuse.FileMode, fuse.Uid, fuse.Gid));
        Assert.Equal(("b", 7L, 7L, 0x1A0u), (devices[2].Type, devices[2].Major, devices[2].Minor, devices[2].FileMode));
        Assert.Equal((4095L, 70000L), (devices[0].Major, devices[0].Minor));
    }
}
