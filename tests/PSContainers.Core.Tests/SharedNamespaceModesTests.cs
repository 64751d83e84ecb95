using PSContainers.Core.Containers;

namespace PSContainers.Core.Tests;

public sealed class SharedNamespaceModesTests : IDisposable
{
    private const string Id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private readonly TempDirectory _rootfs = new();

    public void Dispose() => _rootfs.Dispose();

    private ContainerCreateRequest Request() => new() { RootFs = _rootfs.Path, Command = ["true"] };

    [Fact]
    public void HostModesDropTheNamespacesAndTheHostname()
    {
        var request = Request();
        request.PidMode = "host";
        request.IpcMode = "host";
        request.UtsMode = "host";
        var spec = ContainerSpecBuilder.Build(Id, request, "/m");
        Assert.DoesNotContain(spec.Linux!.Namespaces!, n => n.Type is "pid" or "ipc" or "uts");
        Assert.Contains(spec.Linux.Namespaces!, n => n.Type == "mount");
        Assert.Null(spec.Hostname);
        var shm = Assert.Single(spec.Mounts!, m => m.Destination == "/dev/shm");
        Assert.Equal(("bind", "/dev/shm"), (shm.Type, shm.Source));
        Assert.Contains($"HOSTNAME={System.Net.Dns.GetHostName()}", spec.Process!.Env!);
    }

    [Fact]
    public void OwnModesKeepTheNamespaces()
    {
        var request = Request();
        request.IpcMode = "shareable";
        request.PidMode = "container:" + Id;
        var spec = ContainerSpecBuilder.Build(Id, request, "/m");
        Assert.Contains(spec.Linux!.Namespaces!, n => n.Type == "ipc" && n.Path is null);
        Assert.Contains(spec.Linux.Namespaces!, n => n.Type == "pid");
        Assert.Equal(Id, SharedNamespaceModes.TargetOf(request.PidMode));
        Assert.Null(SharedNamespaceModes.TargetOf("host"));
        Assert.Null(SharedNamespaceModes.TargetOf(null));
    }

    [Theory]
    [InlineData("private", null, null, null, "-Pid \"private\"")]
    [InlineData("container:", null, null, null, "-Pid \"container:\"")]
    [InlineData(null, "none", null, null, "-Ipc none")]
    [InlineData(null, "sharable", null, null, "-Ipc \"sharable\"")]
    [InlineData(null, null, "private", null, "-Uts \"private\"")]
    [InlineData(null, null, "host", "box", "-Hostname cannot be combined with -Uts host")]
    public void BadModesAreRefusedByName(string? pid, string? ipc, string? uts, string? hostname, string expected)
    {
        var request = Request();
        request.PidMode = pid;
        request.IpcMode = ipc;
        request.UtsMode = uts;
        request.Hostname = hostname;
        var e = Assert.Throws<ContainerEngineException>(() => SharedNamespaceModes.Validate(request));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DomainnameCannotGoWithTheHostsUtsNamespace()
    {
        var request = Request();
        request.UtsMode = "host";
        request.Domainname = "example.org";
        var e = Assert.Throws<ContainerEngineException>(() => SharedNamespaceModes.Validate(request));
        Assert.Contains("-Domainname", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShmSizeNeedsTheContainersOwnIpcNamespace()
    {
        var request = Request();
        request.IpcMode = "container:other";
        request.ShmSize = 1 << 20;
        Assert.Throws<ContainerEngineException>(() => SharedNamespaceModes.Validate(request));
        request.IpcMode = "shareable";
        SharedNamespaceModes.Validate(request);
    }

    [Fact]
    public void SysctlsOfASharedHostNamespaceAreRefused()
    {
        Assert.Contains("-Ipc host", Assert.Throws<ContainerEngineException>(() => ContainerHostOptions.CheckSysctl("kernel.shmmax", "", ipcMode: "host")).Message, StringComparison.Ordinal);
        Assert.Contains("-Uts host", Assert.Throws<ContainerEngineException>(() => ContainerHostOptions.CheckSysctl("kernel.domainname", "", utsMode: "host")).Message, StringComparison.Ordinal);
        ContainerHostOptions.CheckSysctl("kernel.shmmax", "", ipcMode: "shareable");
    }
}
