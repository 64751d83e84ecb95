using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using Microsoft.Extensions.Logging.Abstractions;
using PSContainers.Core.Containers;
using PSContainers.Core.Images;
using PSContainers.Core.Images.Archive;
using PSContainers.Native;

namespace PSContainers.Core.Tests.Images;

/// <summary>Crafted layer tars must never touch anything outside the snapshot; real tars extract as GNU tar extracts them.</summary>
public sealed class LayerUnpackerTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _target;
    private readonly string _outside;

    public LayerUnpackerTests()
    {
        _target = Path.Combine(_dir.Path, "snapshot");
        _outside = Path.Combine(_dir.Path, "host");
        Directory.CreateDirectory(_target);
        Directory.CreateDirectory(_outside);
        File.WriteAllText(Path.Combine(_outside, "secret"), "host file");
    }

    public void Dispose() => _dir.Dispose();

    private static byte[] Tar(Action<TarWriter> build)
    {
        var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            build(writer);
        }

        return stream.ToArray();
    }

    private static void File_(TarWriter w, string name, string content)
    {
        w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)) });
    }

    private static void Link(TarWriter w, TarEntryType type, string name, string target) => w.WriteEntry(new PaxTarEntry(type, name) { LinkName = target });

    private LayerUnpackResult Unpack(byte[] tar, Digest? diffId = null) =>
        LayerUnpacker.Unpack(new MemoryStream(tar), _target, null, diffId, NullLogger.Instance);

    private string Snapshot() => string.Join("\n", Directory.EnumerateFileSystemEntries(_outside, "*", SearchOption.AllDirectories).Order()
        .Select(p => $"{p} {new FileInfo(p).Length} {File.GetLastWriteTimeUtc(p).Ticks}"));

    private void AssertHostUntouched(string before)
    {
        Assert.Equal(before, Snapshot());
        Assert.Equal("host file", File.ReadAllText(Path.Combine(_outside, "secret")));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/../../escape")]
    [InlineData("./../../host/secret")]
    public void PathTraversalIsRefused(string name)
    {
        var before = Snapshot();
        var e = Assert.Throws<ContainerEngineException>(() => Unpack(Tar(w => File_(w, name, "pwned"))));
        Assert.Equal("LayerUnsafe", e.ErrorId);
        AssertHostUntouched(before);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "escape")));
    }

    [Fact]
    public void AbsoluteNamesLandInsideTheSnapshot()
    {
        var before = Snapshot();
        Unpack(Tar(w => File_(w, _outside + "/secret", "pwned")));
        AssertHostUntouched(before);
        Assert.Equal("pwned", File.ReadAllText(Path.Combine(_target, _outside.TrimStart('/'), "secret")));
    }

    [Fact]
    public void AWriteThroughAnAbsoluteSymlinkStaysInside()
    {
        var before = Snapshot();
        // evil -> /tmp/.../host (absolute, pointing at the host directory), then evil/secret.
        Assert.Throws<ContainerEngineException>(() => Unpack(Tar(w =>
        {
            Link(w, TarEntryType.SymbolicLink, "evil", _outside);
            File_(w, "evil/secret", "pwned");
        })));
        AssertHostUntouched(before);
    }

    [Fact]
    public void AWriteThroughARelativeSymlinkClimbingOutResolvesAtTheRoot()
    {
        var before = Snapshot();
        var depth = string.Concat(Enumerable.Repeat("../", 12));
        Unpack(Tar(w =>
        {
            w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "etc"));
            Link(w, TarEntryType.SymbolicLink, "up", depth);
            File_(w, "up/etc/planted", "inside");
        }));
        AssertHostUntouched(before);
        Assert.Equal("inside", File.ReadAllText(Path.Combine(_target, "etc/planted")));
        Assert.Equal(depth, new FileInfo(Path.Combine(_target, "up")).LinkTarget);
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../../../../../../etc/passwd")]
    [InlineData("host/secret")]
    public void AHardlinkToAHostFileIsRefused(string target)
    {
        var before = Snapshot();
        LibcAt.Lstat("/etc/passwd", out var passwd);
        LibcAt.Lstat(Path.Combine(_outside, "secret"), out var secret);
        var e = Assert.Throws<ContainerEngineException>(() => Unpack(Tar(w => Link(w, TarEntryType.HardLink, "h", target))));
        Assert.Equal("LayerUnsafe", e.ErrorId);
        AssertHostUntouched(before);
        LibcAt.Lstat("/etc/passwd", out var passwdAfter);
        LibcAt.Lstat(Path.Combine(_outside, "secret"), out var secretAfter);
        Assert.Equal(passwd.Nlink, passwdAfter.Nlink);
        Assert.Equal(secret.Nlink, secretAfter.Nlink);
    }

    [Fact]
    public void AHardlinkThroughASymlinkToTheHostIsRefused()
    {
        var before = Snapshot();
        Assert.Throws<ContainerEngineException>(() => Unpack(Tar(w =>
        {
            Link(w, TarEntryType.SymbolicLink, "hostdir", _outside);
            Link(w, TarEntryType.HardLink, "stolen", "hostdir/secret");
        })));
        AssertHostUntouched(before);
        Assert.False(File.Exists(Path.Combine(_target, "stolen")));
    }

    [Theory]
    [InlineData(".wh...")]
    [InlineData("dir/.wh...")]
    [InlineData(".wh..")]
    public void AWhiteoutOfDotDotIsRefused(string name)
    {
        var before = Snapshot();
        var e = Assert.Throws<ContainerEngineException>(() => Unpack(Tar(w => File_(w, name, ""))));
        Assert.Equal("LayerUnsafe", e.ErrorId);
        AssertHostUntouched(before);
    }

    [Fact]
    public void ASymlinkLoopFailsCleanly()
    {
        var before = Snapshot();
        var e = Assert.Throws<ContainerEngineException>(() => Unpack(Tar(w =>
        {
            Link(w, TarEntryType.SymbolicLink, "a", "b");
            Link(w, TarEntryType.SymbolicLink, "b", "a");
            File_(w, "a/file", "x");
        })));
        Assert.Equal("LayerUnsafe", e.ErrorId);
        AssertHostUntouched(before);
    }

    [Fact]
    public void DeviceNodesAreCreatedInsideTheSnapshotAsDockerCreatesThem()
    {
        var before = Snapshot();
        Unpack(Tar(w =>
        {
            w.WriteEntry(new PaxTarEntry(TarEntryType.CharacterDevice, "dev/null") { DeviceMajor = 1, DeviceMinor = 3, Mode = (UnixFileMode)0x1B6 });
            w.WriteEntry(new PaxTarEntry(TarEntryType.BlockDevice, "dev/sda") { DeviceMajor = 8, DeviceMinor = 0, Mode = (UnixFileMode)0x180 });
            w.WriteEntry(new PaxTarEntry(TarEntryType.Fifo, "run/fifo") { Mode = (UnixFileMode)0x1A4 });
        }));
        AssertHostUntouched(before);
        Assert.True(LibcAt.Lstat(Path.Combine(_target, "dev/null"), out var null_));
        Assert.Equal(Consts.S_IFCHR, null_.Type);
        Assert.Equal(Consts.Makedev(1, 3), null_.Rdev);
        Assert.Equal(0x1B6u, null_.Mode & 0xFFF);
        Assert.True(LibcAt.Lstat(Path.Combine(_target, "dev/sda"), out var sda));
        Assert.Equal(Consts.S_IFBLK, sda.Type);
        Assert.True(LibcAt.Lstat(Path.Combine(_target, "run/fifo"), out var fifo));
        Assert.Equal(Consts.S_IFIFO, fifo.Type);
    }

    [Fact]
    public void WhiteoutsBecomeOverlaysForm()
    {
        Unpack(Tar(w =>
        {
            w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "etc"));
            File_(w, "etc/.wh.passwd", "");
            w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "opaque"));
            File_(w, "opaque/.wh..wh..opq", "");
            File_(w, "opaque/new", "n");
            File_(w, ".wh..wh.plnk", "");
        }));
        Assert.True(LibcAt.Lstat(Path.Combine(_target, "etc/passwd"), out var whiteout));
        Assert.Equal(Consts.S_IFCHR, whiteout.Type);
        Assert.Equal(0ul, whiteout.Rdev);
        Assert.False(File.Exists(Path.Combine(_target, "etc/.wh.passwd")));
        Assert.Equal("y"u8.ToArray(), LibcAt.GetXattr(Path.Combine(_target, "opaque"), "trusted.overlay.opaque"));
        Assert.False(File.Exists(Path.Combine(_target, ".wh..wh.plnk")));
    }

    [Fact]
    public void OverlayXattrsFromTheArchiveAreDropped()
    {
        Unpack(Tar(w => w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "d", new Dictionary<string, string> { ["SCHILY.xattr.trusted.overlay.redirect"] = "/etc", ["SCHILY.xattr.user.kept"] = "v" }))));
        Assert.Null(LibcAt.GetXattr(Path.Combine(_target, "d"), "trusted.overlay.redirect"));
        Assert.Equal("v"u8.ToArray(), LibcAt.GetXattr(Path.Combine(_target, "d"), "user.kept"));
    }

    [Fact]
    public void LaterEntriesReplaceEarlierOnesAsTarDoes()
    {
        Unpack(Tar(w =>
        {
            w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "d/sub"));
            File_(w, "d/sub/f", "old");
            File_(w, "d", "now a file");
            File_(w, "e/x", "1");
            Link(w, TarEntryType.SymbolicLink, "e/x", "target");
            File_(w, "e/y", "2");
        }));
        Assert.Equal("now a file", File.ReadAllText(Path.Combine(_target, "d")));
        Assert.Equal("target", new FileInfo(Path.Combine(_target, "e/x")).LinkTarget);
        Assert.Equal("2", File.ReadAllText(Path.Combine(_target, "e/y")));
    }

    [Fact]
    public void ManyDirectoriesAndHardlinksAcrossThemExtract()
    {
        Unpack(Tar(w =>
        {
            File_(w, "first/file", "shared");
            for (var i = 0; i < 700; i++)
            {
                File_(w, $"dir{i}/sub/file", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                Link(w, TarEntryType.HardLink, $"dir{i}/sub/link", "first/file");
            }
        }));
        LibcAt.Lstat(Path.Combine(_target, "first/file"), out var st);
        Assert.Equal(701ul, st.Nlink);
        Assert.Equal("699", File.ReadAllText(Path.Combine(_target, "dir699/sub/file")));
    }

    [Fact]
    public void ADiffIdMismatchIsReported()
    {
        var tar = Tar(w => File_(w, "f", "content"));
        var e = Assert.Throws<ContainerEngineException>(() => Unpack(tar, Digest.Compute("other"u8)));
        Assert.Equal("DiffIdMismatch", e.ErrorId);
        Assert.Equal(Digest.Compute(tar), Unpack(tar, Digest.Compute(tar)).DiffId);
    }

    [Fact]
    public void GzipAndZstdLayersUnpackToTheSameTree()
    {
        var tar = Tar(w => { File_(w, "a/b", "hello"); Link(w, TarEntryType.SymbolicLink, "l", "a/b"); });
        var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
        {
            z.Write(tar);
        }

        var zst = new ZstdSharp.Compressor().Wrap(tar).ToArray();
        foreach (var (blob, kind) in new[] { (gz.ToArray(), LayerCompression.Gzip), (zst, LayerCompression.Zstd), (tar, LayerCompression.None) })
        {
            Directory.Delete(_target, true);
            Directory.CreateDirectory(_target);
            var result = LayerUnpacker.Unpack(new MemoryStream(blob), _target, Digest.Compute(blob), Digest.Compute(tar), NullLogger.Instance);
            Assert.Equal(kind, result.Compression);
            Assert.Equal("hello", File.ReadAllText(Path.Combine(_target, "l")));
        }
    }

    [Theory]
    [InlineData("gnu")]
    [InlineData("posix")]
    public void ExtractsAsGnuTarDoes(string format)
    {
        // A tree with owners, setuid, xattrs, hardlinks, a sparse file, a fifo and old mtimes, archived by GNU tar.
        var src = Path.Combine(_dir.Path, "src");
        Directory.CreateDirectory(Path.Combine(src, "dir/sub"));
        File.WriteAllText(Path.Combine(src, "dir/file"), "data");
        File.WriteAllText(Path.Combine(src, "suid"), "#!/bin/sh\n");
        Run("chmod", "4755", Path.Combine(src, "suid"));
        Run("chown", "1234:5678", Path.Combine(src, "dir/file"));
        Run("chmod", "0750", Path.Combine(src, "dir/sub"));
        SetXattr(Path.Combine(src, "dir/file"), "user.color", "blue");
        Run("ln", Path.Combine(src, "dir/file"), Path.Combine(src, "hard"));
        Run("ln", "-s", "dir/file", Path.Combine(src, "sym"));
        Run("truncate", "-s", "64M", Path.Combine(src, "sparse"));
        Run("sh", "-c", $"echo middle | dd of={src}/sparse bs=1 seek=33554432 conv=notrunc status=none");
        Run("mkfifo", Path.Combine(src, "fifo"));
        // A setgid directory: files in it inherit its group unless extraction sets theirs.
        Directory.CreateDirectory(Path.Combine(src, "sgid"));
        Run("chown", "0:5678", Path.Combine(src, "sgid"));
        Run("chmod", "2775", Path.Combine(src, "sgid"));
        File.WriteAllText(Path.Combine(src, "sgid/rootfile"), "r");
        Run("chown", "0:0", Path.Combine(src, "sgid/rootfile"));
        // Symlinks: one of another owner, one of root's in the setgid directory (extraction must set both).
        Run("ln", "-s", "rootfile", Path.Combine(src, "sgid/rootlink"));
        Run("chown", "-h", "0:0", Path.Combine(src, "sgid/rootlink"));
        Run("ln", "-s", "file", Path.Combine(src, "dir/owned-link"));
        Run("chown", "-h", "1234:5678", Path.Combine(src, "dir/owned-link"));
        File.WriteAllText(Path.Combine(src, "plain"), "p");
        Run("chmod", "0664", Path.Combine(src, "plain"));
        Run("touch", "-h", "-d", "2001-02-03 04:05:06", Path.Combine(src, "sym"), Path.Combine(src, "dir/sub"), Path.Combine(src, "dir"), Path.Combine(src, "suid"));
        var archive = Path.Combine(_dir.Path, "layer.tar");
        Run("tar", $"--format={format}", "--xattrs", "--sparse", "--numeric-owner", "-C", src, "-cpf", archive, ".");
        var byTar = Path.Combine(_dir.Path, "bytar");
        Directory.CreateDirectory(byTar);
        Run("tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-C", byTar, "-xpf", archive);

        using (var stream = File.OpenRead(archive))
        {
            LayerUnpacker.Unpack(stream, _target, null, Digest.Compute(File.ReadAllBytes(archive)), NullLogger.Instance);
        }

        Assert.Equal(Describe(byTar), Describe(_target));
        // Holes stay holes: the 64 MiB file takes a few blocks, not 64 MiB.
        LibcAt.Lstat(Path.Combine(_target, "sparse"), out var sparse);
        Assert.Equal(64L << 20, sparse.Size);
        Assert.True(sparse.Blocks * 512 < 1 << 20, $"the sparse file takes {sparse.Blocks * 512} bytes");
        Assert.Equal("middle", File.ReadAllText(Path.Combine(_target, "sparse")).Trim('\0', '\n'));
    }

    private static string Describe(string root)
    {
        var lines = new List<string>();
        var inodes = new Dictionary<ulong, string>();
        foreach (var path in Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).Order())
        {
            var rel = Path.GetRelativePath(root, path);
            LibcAt.Lstat(path, out var st);
            var link = st.Type == 0xA000 ? new FileInfo(path).LinkTarget : "";
            var group = st.Type == Consts.S_IFREG && st.Nlink > 1 ? (inodes.TryGetValue(st.Ino, out var first) ? "=" + first : (inodes[st.Ino] = rel)) : "";
            var content = st.Type == Consts.S_IFREG ? Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)))[..12] : "";
            var xattrs = string.Join(",", LibcAt.ListXattrs(path).Where(n => n.StartsWith("user.")).Order().Select(n => n + "=" + System.Text.Encoding.UTF8.GetString(LibcAt.GetXattr(path, n)!)));
            var mtime = st.Type == Consts.S_IFDIR && rel == "." ? 0 : st.MtimeSec;
            lines.Add($"{rel} mode={Convert.ToString(st.Mode, 8)} {st.Uid}:{st.Gid} size={(st.Type == Consts.S_IFDIR ? 0 : st.Size)} mtime={mtime} link={link} {group} {content} {xattrs}");
        }

        return string.Join("\n", lines);
    }

    private static unsafe void SetXattr(string path, string name, string value)
    {
        fixed (byte* p = Libc.Utf8(path))
        fixed (byte* n = Libc.Utf8(name))
        fixed (byte* v = System.Text.Encoding.UTF8.GetBytes(value))
        {
            Assert.Equal(0, LibcAt.SetXattr(p, n, v, value.Length, 0));
        }
    }

    private static void Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var p = Process.Start(start)!;
        var err = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)}: {err}");
    }
}
