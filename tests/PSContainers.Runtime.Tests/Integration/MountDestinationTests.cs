using PSContainers.Runtime.Spec;

using Xunit;

namespace PSContainers.Runtime.Tests.Integration;

/// <summary>Symlinks in the rootfs are resolved inside it: a mount destination can never land on the host.</summary>
[Collection("pscrun")]
public sealed class MountDestinationTests : IClassFixture<PscrunFixture>
{
    private readonly PscrunFixture _f;

    public MountDestinationTests(PscrunFixture f)
    {
        _f = f;
    }

    [Fact]
    public void AnAbsoluteSymlinkInTheRootfsIsFollowedInsideTheRootfs()
    {
        var name = "psc-host-target-" + Guid.NewGuid().ToString("N");
        var hostTarget = Path.Combine("/tmp", name);
        var rootfs = Path.Combine(_f.WorkDir, "rootfs-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            Directory.CreateDirectory(hostTarget);
            BusyboxRootfs.Create(rootfs);
            File.CreateSymbolicLink(Path.Combine(rootfs, "escape"), hostTarget);

            var r = _f.Run(new[] { "sh", "-c", $"echo written > /escape/inner/file && cat /tmp/{name}/inner/file && grep -c ' /tmp/{name}/inner .* tmpfs ' /proc/self/mountinfo" }, spec =>
            {
                spec.Root!.Path = rootfs;
                spec.Mounts!.Add(new Mount { Destination = "/escape/inner", Type = "tmpfs", Source = "tmpfs", Options = new List<string> { "size=1m" } });
            });

            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal(new[] { "written", "1" }, r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.True(Directory.Exists(Path.Combine(rootfs, "tmp", name, "inner")), "the mount point was not made under the rootfs");
            AssertUntouched(hostTarget, name);
        }
        finally
        {
            DeleteRootfs(rootfs);
            if (Directory.Exists(hostTarget))
            {
                Directory.Delete(hostTarget, recursive: true);
            }
        }
    }

    [Fact]
    public void ARelativeSymlinkClimbingAboveTheRootStopsAtTheRoot()
    {
        var name = "psc-host-target-" + Guid.NewGuid().ToString("N");
        var hostTarget = Path.Combine("/tmp", name);
        var rootfs = Path.Combine(_f.WorkDir, "rootfs-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            Directory.CreateDirectory(hostTarget);
            BusyboxRootfs.Create(rootfs);
            // Far more ".." than the rootfs is deep: resolved on the host, this would reach /tmp/NAME.
            var climb = string.Concat(Enumerable.Repeat("../", 16)) + "tmp/" + name;
            File.CreateSymbolicLink(Path.Combine(rootfs, "rel"), climb);

            var r = _f.Run(new[] { "sh", "-c", $"echo written > /rel/file && cat /tmp/{name}/file && grep -c ' /tmp/{name} .* tmpfs ' /proc/self/mountinfo" }, spec =>
            {
                spec.Root!.Path = rootfs;
                spec.Mounts!.Add(new Mount { Destination = "/rel", Type = "tmpfs", Source = "tmpfs", Options = new List<string> { "size=1m" } });
            });

            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal(new[] { "written", "1" }, r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.True(Directory.Exists(Path.Combine(rootfs, "tmp", name)), "the mount point was not made under the rootfs");
            AssertUntouched(hostTarget, name);
        }
        finally
        {
            DeleteRootfs(rootfs);
            if (Directory.Exists(hostTarget))
            {
                Directory.Delete(hostTarget, recursive: true);
            }
        }
    }

    private static void AssertUntouched(string hostTarget, string name)
    {
        Assert.Empty(Directory.GetFileSystemEntries(hostTarget));
        Assert.DoesNotContain(name, File.ReadAllText("/proc/self/mountinfo"));
    }

    // Links go first so that nothing can ever walk through them to the host.
    private static void DeleteRootfs(string rootfs)
    {
        foreach (var link in new[] { "escape", "rel" })
        {
            var path = Path.Combine(rootfs, link);
            if (new FileInfo(path).LinkTarget is not null)
            {
                File.Delete(path);
            }
        }

        if (Directory.Exists(rootfs))
        {
            Directory.Delete(rootfs, recursive: true);
        }
    }
}
