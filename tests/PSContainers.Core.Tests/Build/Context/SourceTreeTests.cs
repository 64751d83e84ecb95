using PSContainers.Core.Build.Context;
using PSContainers.Core.Build.Executor;
using PSContainers.Core.Build.Ignore;
using PSContainers.Core.Containers;

namespace PSContainers.Core.Tests.Build.Context;

/// <summary>COPY sources resolve inside the context: globs, directories, .dockerignore, and nothing outside it.</summary>
public sealed class SourceTreeTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public SourceTreeTests()
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, "src/sub"));
        File.WriteAllText(Path.Combine(_dir.Path, "a.txt"), "a");
        File.WriteAllText(Path.Combine(_dir.Path, "b.txt"), "b");
        File.WriteAllText(Path.Combine(_dir.Path, "c.md"), "c");
        File.WriteAllText(Path.Combine(_dir.Path, "src/main.c"), "m");
        File.WriteAllText(Path.Combine(_dir.Path, "src/sub/x.c"), "x");
        File.CreateSymbolicLink(Path.Combine(_dir.Path, "escape"), "/etc");
    }

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("*.txt", "a.txt,b.txt")]
    [InlineData("?.md", "c.md")]
    [InlineData("[ab].txt", "a.txt,b.txt")]
    [InlineData("[^a].txt", "b.txt")]
    [InlineData("src/*.c", "src/main.c")]
    [InlineData("*/sub", "src/sub")]
    public void GlobsMatchOneComponentAtATime(string pattern, string expected)
    {
        var tree = new SourceTree(_dir.Path, null, isContext: true);
        Assert.Equal(expected.Split(','), tree.Resolve(pattern, "COPY").Select(s => s.RelativePath));
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("src/../../x")]
    public void PathsOutsideTheContextAreRefused(string source)
    {
        var tree = new SourceTree(_dir.Path, null, isContext: true);
        var e = Assert.Throws<ContainerEngineException>(() => tree.Resolve(source, "COPY"));
        Assert.Equal("BuildContextPathOutside", e.ErrorId);
        Assert.Contains(source, e.Message);
    }

    [Fact]
    public void ASymlinkOutOfTheContextResolvesInsideIt()
    {
        var tree = new SourceTree(_dir.Path, null, isContext: true);
        // /etc inside the context does not exist: the link cannot reach the host's /etc.
        var e = Assert.Throws<ContainerEngineException>(() => tree.Resolve("escape/passwd", "COPY"));
        Assert.Equal("BuildSourceNotFound", e.ErrorId);
    }

    [Fact]
    public void DockerignoreHidesFilesFromSourcesAndDirectoryCopies()
    {
        var tree = new SourceTree(_dir.Path, new IgnoreMatcher(["*.txt", "!b.txt", "src/**/x.c"]), isContext: true);
        Assert.Throws<ContainerEngineException>(() => tree.Resolve("a.txt", "COPY"));
        Assert.Equal(["b.txt"], tree.Resolve("*.txt", "COPY").Select(s => s.RelativePath));
        var src = tree.Resolve("src", "COPY").Single();
        var options = new FileCopier.Options(0, 0, false, null, null);
        Assert.Equal(["", "main.c", "sub"], FileCopier.Enumerate(tree, src, options).Select(e => e.Relative));
    }

    [Fact]
    public void TheChecksumFollowsContentModeAndNamesButNotTimes()
    {
        var tree = new SourceTree(_dir.Path, null, isContext: true);
        var options = new FileCopier.Options(0, 0, false, null, null);
        string Sum() => FileCopier.Checksum(tree, tree.Resolve("src", "COPY"), options, CancellationToken.None);
        var first = Sum();
        File.SetLastWriteTimeUtc(Path.Combine(_dir.Path, "src/main.c"), DateTime.UtcNow.AddDays(-3));
        Assert.Equal(first, Sum());
        File.WriteAllText(Path.Combine(_dir.Path, "src/main.c"), "changed");
        var second = Sum();
        Assert.NotEqual(first, second);
        File.SetUnixFileMode(Path.Combine(_dir.Path, "src/main.c"), (UnixFileMode)0x1ED);
        Assert.NotEqual(second, Sum());
    }
}
