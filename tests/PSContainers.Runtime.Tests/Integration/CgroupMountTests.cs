using PSContainers.Runtime.Spec;

using Xunit;

namespace PSContainers.Runtime.Tests.Integration;

/// <summary>The template's read-only `cgroup` mount shows the container its own cgroups, not the host's root.</summary>
[Collection("pscrun")]
public sealed class CgroupMountTests : IClassFixture<PscrunFixture>
{
    private readonly PscrunFixture _f;

    public CgroupMountTests(PscrunFixture f)
    {
        _f = f;
    }

    [Fact]
    public void TheMemoryControllerShowsTheContainersOwnLimitAndIsReadOnly()
    {
        var id = PscrunFixture.NewId();
        var bundle = _f.NewBundle(
            new[] { "sh", "-c", "cat /sys/fs/cgroup/memory/memory.limit_in_bytes; echo 1 > /sys/fs/cgroup/memory/memory.limit_in_bytes" },
            spec =>
            {
                Assert.Contains(spec.Mounts!, m => m.Type == "cgroup" && m.Destination == "/sys/fs/cgroup" && m.Options!.Contains("ro"));
                spec.Linux!.CgroupsPath = "/psc-test/" + id;
                spec.Linux.Resources = new LinuxResources { Memory = new LinuxMemory { Limit = 64 << 20 } };
            });

        var r = _f.Pscrun("run", "--bundle", bundle, id);

        Assert.Equal((64 << 20).ToString(), r.Stdout.Trim());
        Assert.Contains("Read-only file system", r.Stderr);
        Assert.NotEqual(0, r.ExitCode);
    }
}
