using PSContainers.Core.Build.Executor;
using PSContainers.Core.Containers;

namespace PSContainers.Core.Tests.Build.Executor;

/// <summary>COPY --chown resolves names in the image's own /etc/passwd and /etc/group, never the host's.</summary>
public sealed class ChownTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public ChownTests()
    {
        Directory.CreateDirectory(Path.Combine(_root.Path, "etc"));
        File.WriteAllText(Path.Combine(_root.Path, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001:app:/home/app:/bin/sh\n");
        File.WriteAllText(Path.Combine(_root.Path, "etc/group"), "root:x:0:\nstaff:x:50:\nappgrp:x:1001:\n");
    }

    public void Dispose() => _root.Dispose();

    [Theory]
    [InlineData("app", 1000u, 1001u)]
    [InlineData("app:staff", 1000u, 50u)]
    [InlineData("1000", 1000u, 1000u)]
    [InlineData("1234:5678", 1234u, 5678u)]
    [InlineData("app:77", 1000u, 77u)]
    [InlineData("0:staff", 0u, 50u)]
    public void NamesAndNumbersResolveInTheImage(string chown, uint uid, uint gid) =>
        Assert.Equal((uid, gid), StageBuilder.ResolveChown(_root.Path, chown, "COPY"));

    [Theory]
    [InlineData("nobody")]
    [InlineData("app:wheel")]
    public void UnknownNamesAreErrorsThatNameThem(string chown)
    {
        var e = Assert.Throws<ContainerEngineException>(() => StageBuilder.ResolveChown(_root.Path, chown, "COPY"));
        Assert.Equal("BuildInvalidInstruction", e.ErrorId);
        Assert.Contains(chown, e.Message);
    }

    [Fact]
    public void ASymlinkedPasswdCannotReadTheHostsFile()
    {
        File.Delete(Path.Combine(_root.Path, "etc/passwd"));
        File.CreateSymbolicLink(Path.Combine(_root.Path, "etc/passwd"), "/etc/passwd");
        // The host has root in /etc/passwd; inside the image the link leads nowhere, so "root" is unknown.
        Assert.Throws<ContainerEngineException>(() => StageBuilder.ResolveChown(_root.Path, "root", "COPY"));
    }
}
