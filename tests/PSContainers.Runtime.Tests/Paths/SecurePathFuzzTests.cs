using PSContainers.Runtime.Paths;
using Xunit;

namespace PSContainers.Runtime.Tests.Paths;

public sealed class SecurePathFuzzTests : IDisposable
{
    private readonly string _outer;
    private readonly string _root;

    public SecurePathFuzzTests()
    {
        _outer = Directory.CreateTempSubdirectory("psc-securepath-fuzz-").FullName;
        _root = Path.Combine(_outer, "root");
        Directory.CreateDirectory(Path.Combine(_outer, "outside"));
        Directory.CreateDirectory(_root);
    }

    public void Dispose() => Directory.Delete(_outer, recursive: true);

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(2024)]
    public void RandomTreesAndPaths_NeverLeaveRoot(int seed)
    {
        var random = new Random(seed);
        var tokens = new[] { "..", ".", "", "a", "b", "c", "l0", "l1", "l2", "l3", "l4", "l5", "/", "etc", _outer, _outer + "/outside" };
        string RandomPath(int maxParts) =>
            string.Join('/', Enumerable.Range(0, random.Next(1, maxParts + 1)).Select(_ => tokens[random.Next(tokens.Length)]));

        // A small tree of directories, then symlinks with hostile targets scattered through it.
        string[] dirs = ["a", "b", "a/b", "a/c", "b/c/a", "c"];
        foreach (var dir in dirs)
        {
            Directory.CreateDirectory(Path.Combine(_root, dir));
        }
        for (var i = 0; i < 6; i++)
        {
            var parent = random.Next(3) == 0 ? "" : dirs[random.Next(dirs.Length)];
            var target = random.Next(4) == 0 ? "/" + RandomPath(4) : RandomPath(5);
            File.CreateSymbolicLink(Path.Combine(_root, parent, $"l{i}"), target);
        }

        var loops = 0;
        for (var i = 0; i < 400; i++)
        {
            var unsafePath = (random.Next(2) == 0 ? "/" : "") + RandomPath(8);
            string resolved;
            try
            {
                resolved = SecurePath.Resolve(_root, unsafePath);
            }
            catch (IOException e) when (e.Message.Contains("too many levels of symbolic links"))
            {
                loops++;
                continue;
            }

            Assert.True(resolved == _root || resolved.StartsWith(_root + "/", StringComparison.Ordinal),
                $"seed {seed}: \"{unsafePath}\" resolved to {resolved}, outside {_root}");
            AssertNoSymlinkOnPath(resolved, unsafePath);
        }

        // Creating directories along random paths must not put anything outside root either.
        for (var i = 0; i < 60; i++)
        {
            var unsafePath = RandomPath(6) + "/m" + i;
            try
            {
                var made = SecurePath.MkdirAll(_root, unsafePath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                Assert.StartsWith(_root + "/", made);
                Assert.True(Directory.Exists(made));
            }
            catch (IOException)
            {
                // Loops, and paths through non-directories, are allowed to fail; escaping is not.
            }
        }
        Assert.Equal(["outside", "root"], Directory.EnumerateFileSystemEntries(_outer).Select(Path.GetFileName).Order());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_outer, "outside")));
        Assert.True(loops < 400, "every path looped: the fuzz tree is degenerate");
    }

    // The guarantee callers rely on: opening the result never follows a symlink on the host.
    private void AssertNoSymlinkOnPath(string resolved, string unsafePath)
    {
        var current = _root;
        foreach (var part in resolved[_root.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current += "/" + part;
            var attributes = new FileInfo(current).Attributes;
            if ((int)attributes == -1)
            {
                return;
            }
            Assert.False(attributes.HasFlag(FileAttributes.ReparsePoint), $"\"{unsafePath}\" resolved through symlink {current}");
        }
    }
}
