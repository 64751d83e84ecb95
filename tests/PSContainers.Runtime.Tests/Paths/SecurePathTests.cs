using PSContainers.Runtime.Paths;
using Xunit;

namespace PSContainers.Runtime.Tests.Paths;

public sealed class SecurePathTests : IDisposable
{
    // root sits next to "outside", so any escape through ".." or a host-absolute link would land somewhere visible.
    private readonly string _outer;
    private readonly string _root;
    private readonly string _outside;

    public SecurePathTests()
    {
        _outer = Directory.CreateTempSubdirectory("psc-securepath-").FullName;
        _root = Path.Combine(_outer, "root");
        _outside = Path.Combine(_outer, "outside");
        Directory.CreateDirectory(_outside);
        Directory.CreateDirectory(Path.Combine(_root, "etc"));
        Directory.CreateDirectory(Path.Combine(_root, "dir", "sub"));
        File.WriteAllText(Path.Combine(_root, "etc", "passwd"), "root:x:0:0::/root:/bin/sh\n");
        File.WriteAllText(Path.Combine(_root, "file"), "");
        Link("abs", "/etc");
        Link("up", "../../..");
        Link("rel_escape", "dir/../../../outside");
        Link("loop1", "loop2");
        Link("loop2", "loop1");
        Link("self", "./self");
        Link("chain", "abs");
        Link("dir/back", "../etc");
        Link("hostabs", _outside);
        Link("dangling", "/newplace");
    }

    public void Dispose() => Directory.Delete(_outer, recursive: true);

    [Theory]
    [InlineData("../../etc", "etc")]
    [InlineData("/../../../etc/passwd", "etc/passwd")]
    [InlineData("abs/passwd", "etc/passwd")]
    [InlineData("/abs", "etc")]
    [InlineData("chain/passwd", "etc/passwd")]
    [InlineData("up", "")]
    [InlineData("up/etc", "etc")]
    [InlineData("rel_escape", "outside")]
    [InlineData("dir/back/passwd", "etc/passwd")]
    [InlineData("dir/sub/../../..", "")]
    [InlineData("./dir//sub/.", "dir/sub")]
    [InlineData("", "")]
    [InlineData("/", "")]
    public void Resolve_StaysInsideRoot(string unsafePath, string expectedUnderRoot)
    {
        Assert.Equal(Under(expectedUnderRoot), SecurePath.Resolve(_root, unsafePath));
    }

    [Fact]
    public void Resolve_ReRootsHostAbsoluteTarget()
    {
        // The link names the real sibling directory on the host; inside the container that path means root + it.
        Assert.Equal(_root + _outside, SecurePath.Resolve(_root, "hostabs"));
    }

    [Theory]
    [InlineData("abs/newdir/x", "etc/newdir/x")]
    [InlineData("missing/a/b", "missing/a/b")]
    [InlineData("dangling/x", "newplace/x")]
    [InlineData("missing/../abs/passwd", "etc/passwd")]
    [InlineData("missing/../../../etc", "etc")]
    public void Resolve_AppendsMissingTails(string unsafePath, string expectedUnderRoot)
    {
        Assert.Equal(Under(expectedUnderRoot), SecurePath.Resolve(_root, unsafePath));
    }

    [Theory]
    [InlineData("loop1")]
    [InlineData("loop2/x")]
    [InlineData("self")]
    public void Resolve_SymlinkLoop_Throws(string unsafePath)
    {
        var e = Assert.Throws<IOException>(() => SecurePath.Resolve(_root, unsafePath));

        Assert.Contains("too many levels of symbolic links", e.Message);
    }

    [Fact]
    public void Resolve_AcceptsRootWithTrailingSlash()
    {
        Assert.Equal(Under("etc"), SecurePath.Resolve(_root + "/", "abs"));
    }

    [Fact]
    public void MkdirAll_ThroughAbsoluteSymlink_CreatesInsideRoot()
    {
        var name = "mk-" + Path.GetRandomFileName();

        var made = SecurePath.MkdirAll(_root, $"abs/{name}/deeper", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        Assert.Equal(Under($"etc/{name}/deeper"), made);
        Assert.True(Directory.Exists(made));
        Assert.False(Directory.Exists($"/etc/{name}"));
    }

    [Fact]
    public void MkdirAll_ThroughHostPathSymlink_DoesNotTouchHost()
    {
        var made = SecurePath.MkdirAll(_root, "hostabs/new", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        Assert.Equal(_root + _outside + "/new", made);
        Assert.True(Directory.Exists(made));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_outside));
    }

    [Fact]
    public void MkdirAll_ThroughEscapingLinks_StaysInside()
    {
        var made = SecurePath.MkdirAll(_root, "up/rel_escape/../../x/y", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        Assert.Equal(Under("x/y"), made);
        Assert.True(Directory.Exists(made));
        Assert.Equal(["outside", "root"], Directory.EnumerateFileSystemEntries(_outer).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void MkdirAll_DanglingLink_CreatesItsTarget()
    {
        var made = SecurePath.MkdirAll(_root, "dangling/x", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        Assert.Equal(Under("newplace/x"), made);
        Assert.True(Directory.Exists(made));
        Assert.False(Directory.Exists("/newplace"));
    }

    [Fact]
    public void MkdirAll_ExistingDirectory_ReturnsIt()
    {
        Assert.Equal(Under("dir/sub"), SecurePath.MkdirAll(_root, "/dir/sub", UnixFileMode.UserRead));
    }

    [Fact]
    public void MkdirAll_ThroughFile_FailsNamingIt()
    {
        var e = Assert.Throws<IOException>(() => SecurePath.MkdirAll(_root, "file/x", UnixFileMode.UserRead | UnixFileMode.UserExecute));

        Assert.Contains(Under("file"), e.Message);
        Assert.Contains("not a directory", e.Message);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void MkdirAll_AppliesModeToEachCreatedDirectory()
    {
        const UnixFileMode owner = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

        var made = SecurePath.MkdirAll(_root, "modes/a", owner);

        // 0700 survives any usual umask, so the exact mode shows the argument reached mkdir for both levels.
        Assert.Equal(owner, File.GetUnixFileMode(made));
        Assert.Equal(owner, File.GetUnixFileMode(Under("modes")));
    }

    private string Under(string relative) => relative.Length == 0 ? _root : _root + "/" + relative;

    private void Link(string at, string target) => File.CreateSymbolicLink(Path.Combine(_root, at), target);
}
