using PSContainers.Runtime.Spec;
using OciSpec = PSContainers.Runtime.Spec.Spec;

using Xunit;

namespace PSContainers.Runtime.Tests.Integration;

/// <summary>A create that fails says why and leaves no state directory and no cgroup behind.</summary>
[Collection("pscrun")]
public sealed class FailedCreateCleanupTests : IClassFixture<PscrunFixture>
{
    private readonly PscrunFixture _f;

    public FailedCreateCleanupTests(PscrunFixture f)
    {
        _f = f;
    }

    [Fact]
    public void AMissingRootfsIsNamedAndLeavesNothing()
    {
        var missing = Path.Combine(_f.WorkDir, "no-such-rootfs-" + Guid.NewGuid().ToString("N")[..8]);
        AssertFailsNamingAndLeavesNothing(missing, spec => spec.Root!.Path = missing);
    }

    [Fact]
    public void AnUnknownNamespaceTypeIsNamedAndLeavesNothing()
    {
        AssertFailsNamingAndLeavesNothing("bogusns", spec => spec.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "bogusns" }));
    }

    [Fact]
    public void AMissingBindSourceIsNamedAndLeavesNothing()
    {
        var missing = Path.Combine(_f.WorkDir, "no-such-source-" + Guid.NewGuid().ToString("N")[..8]);
        AssertFailsNamingAndLeavesNothing(missing, spec =>
            spec.Mounts!.Add(new Mount { Destination = "/data", Type = "bind", Source = missing, Options = new List<string> { "bind" } }));
    }

    private void AssertFailsNamingAndLeavesNothing(string problem, Action<OciSpec> breakIt)
    {
        var id = PscrunFixture.NewId();
        var bundle = _f.NewBundle(new[] { "true" }, spec =>
        {
            spec.Linux!.CgroupsPath = "/psc-test/" + id;
            breakIt(spec);
        });
        try
        {
            var r = _f.Pscrun("create", "--bundle", bundle, id);
            Assert.True(r.ExitCode == 1, r.ToString());
            Assert.Contains(problem, r.Stderr);
            Assert.False(Directory.Exists(Path.Combine(_f.StateRoot, id)), "state directory left behind");
            foreach (var controller in new[] { "memory", "pids", "cpu", "freezer", "devices", "blkio", "cpuset" })
            {
                Assert.False(Directory.Exists($"/sys/fs/cgroup/{controller}/psc-test/{id}"), $"{controller} cgroup left behind");
            }
        }
        finally
        {
            _f.Pscrun("delete", "--force", id);
        }
    }
}
