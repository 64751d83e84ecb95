using System.Formats.Tar;
using PSContainers.Core.Build.Executor;
using PSContainers.Native;

namespace PSContainers.Core.Tests.Build.Executor;

/// <summary>An overlay upper directory becomes an OCI layer tar: whiteouts, opaque directories, hard links, owners and modes as they are.</summary>
public sealed class LayerTarWriterTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private List<(string Name, TarEntryType Type, string Link, int Mode, int Uid, int Gid, string Data)> Entries()
    {
        using var tar = new MemoryStream();
        LayerTarWriter.Write(_dir.Path, tar, CancellationToken.None);
        tar.Position = 0;
        using var reader = new TarReader(tar);
        var entries = new List<(string, TarEntryType, string, int, int, int, string)>();
        while (reader.GetNextEntry() is { } entry)
        {
            var data = entry.DataStream is null ? "" : new StreamReader(entry.DataStream).ReadToEnd();
            entries.Add((entry.Name, entry.EntryType, entry.LinkName, (int)entry.Mode, entry.Uid, entry.Gid, data));
        }

        return entries;
    }

    [Fact]
    public void WritesFilesDirectoriesAndLinksInNameOrderWithTheirMetadata()
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, "etc"));
        File.WriteAllText(Path.Combine(_dir.Path, "etc/motd"), "hello");
        File.SetUnixFileMode(Path.Combine(_dir.Path, "etc/motd"), (UnixFileMode)0x1E4);
        Assert.Equal(0, Libc.Chown(Path.Combine(_dir.Path, "etc/motd"), 1000, 100));
        File.CreateSymbolicLink(Path.Combine(_dir.Path, "link"), "etc/motd");
        Assert.Equal(0, LibcTestHelpers.Link(Path.Combine(_dir.Path, "etc/motd"), Path.Combine(_dir.Path, "etc/motd2")));

        var entries = Entries();

        Assert.Equal(["etc/", "etc/motd", "etc/motd2", "link"], entries.Select(e => e.Name));
        var motd = entries[1];
        Assert.Equal((TarEntryType.RegularFile, 0x1E4, 1000, 100, "hello"), (motd.Type, motd.Mode, motd.Uid, motd.Gid, motd.Data));
        Assert.Equal((TarEntryType.HardLink, "etc/motd"), (entries[2].Type, entries[2].Link));
        Assert.Equal((TarEntryType.SymbolicLink, "etc/motd"), (entries[3].Type, entries[3].Link));
    }

    [Fact]
    public void OverlayWhiteoutsAndOpaqueDirectoriesBecomeOciWhiteouts()
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, "etc"));
        Assert.Equal(0, LibcTestHelpers.MknodWhiteout(Path.Combine(_dir.Path, "etc/group")));
        var opaque = Path.Combine(_dir.Path, "var");
        Directory.CreateDirectory(opaque);
        File.WriteAllText(Path.Combine(opaque, "new"), "x");
        Assert.Equal(0, LibcTestHelpers.SetXattr(opaque, "trusted.overlay.opaque", "y"));

        var names = Entries().Select(e => (e.Name, e.Type)).ToList();

        Assert.Contains(("etc/.wh.group", TarEntryType.RegularFile), names);
        Assert.Contains(("var/.wh..wh..opq", TarEntryType.RegularFile), names);
        Assert.Contains(("var/new", TarEntryType.RegularFile), names);
        Assert.DoesNotContain(names, n => n.Name == "etc/group");
        // The opaque marker comes right after its directory, before the directory's new contents.
        Assert.True(names.FindIndex(n => n.Name == "var/.wh..wh..opq") < names.FindIndex(n => n.Name == "var/new"));
    }

    [Fact]
    public void BinaryXattrsAFileCapabilityAmongThemGoIntoTheLayerByteForByteAndUnpackAgain()
    {
        // security.capability, revision 2, permitted = CAP_SETUID (bit 7): the 0x80 byte is not UTF-8.
        byte[] capability = [0x01, 0x00, 0x00, 0x02, 0x80, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        byte[] blob = [0xFF, 0x00, 0xFE, 0x41];
        var longName = "bin/" + new string('n', 120);
        Directory.CreateDirectory(Path.Combine(_dir.Path, "bin"));
        foreach (var file in new[] { "bin/tool", longName })
        {
            var path = Path.Combine(_dir.Path, file);
            File.WriteAllText(path, "#!/bin/sh\necho tool\n");
            File.SetUnixFileMode(path, (UnixFileMode)0x1ED);
            Assert.Equal(0, Libc.Chown(path, 1000, 1000));
            Assert.Equal(0, LibcTestHelpers.SetXattr(path, "security.capability", capability));
            Assert.Equal(0, LibcTestHelpers.SetXattr(path, "user.blob", blob));
            Assert.Equal(0, LibcTestHelpers.SetXattr(path, "user.text", "plain"));
        }

        using var tar = new MemoryStream();
        LayerTarWriter.Write(_dir.Path, tar, CancellationToken.None);
        var target = Path.Combine(_dir.Path, "..", Path.GetFileName(_dir.Path) + "-unpacked");
        Directory.CreateDirectory(target);
        try
        {
            tar.Position = 0;
            PSContainers.Core.Images.Archive.LayerUnpacker.Unpack(tar, target, null, null, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            foreach (var file in new[] { "bin/tool", longName })
            {
                var path = Path.Combine(target, file);
                Assert.Equal("#!/bin/sh\necho tool\n", File.ReadAllText(path));
                Assert.Equal(capability, LibcAt.GetXattr(path, "security.capability"));
                Assert.Equal(blob, LibcAt.GetXattr(path, "user.blob"));
                Assert.Equal("plain"u8.ToArray(), LibcAt.GetXattr(path, "user.text"));
                Assert.True(LibcAt.Lstat(path, out var st));
                Assert.Equal((1000u, 1000u, 0x1EDu), (st.Uid, st.Gid, st.Mode & 0xFFF));
            }
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }

        // Other readers see the same tar: .NET's reader finds both names and their data.
        tar.Position = 0;
        using var reader = new TarReader(tar);
        var names = new List<string>();
        while (reader.GetNextEntry() is { } entry)
        {
            names.Add(entry.Name);
        }

        Assert.Equal(["bin/", "bin/" + new string('n', 120), "bin/tool"], names);
    }

    [Fact]
    public void TheSameTreeMakesTheSameTar()
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, "b"));
        File.WriteAllText(Path.Combine(_dir.Path, "b/z"), "1");
        File.WriteAllText(Path.Combine(_dir.Path, "a"), "2");
        using var first = new MemoryStream();
        using var second = new MemoryStream();
        LayerTarWriter.Write(_dir.Path, first, CancellationToken.None);
        LayerTarWriter.Write(_dir.Path, second, CancellationToken.None);
        Assert.Equal(first.ToArray(), second.ToArray());
    }
}
