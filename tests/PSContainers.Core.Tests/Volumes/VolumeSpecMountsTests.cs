using PSContainers.Core.Containers;
using PSContainers.Core.Volumes;

namespace PSContainers.Core.Tests.Volumes;

public sealed class VolumeSpecMountsTests
{
    private static Runtime.Spec.Spec Build(ContainerCreateRequest request) =>
        ContainerSpecBuilder.Build(ContainerStore_NewId(), request, "/merged");

    private static string ContainerStore_NewId() => State.ContainerStore.NewId();

    [Fact]
    public void VolumesAndBindsBecomeRbindsWithRprivateAndRoWhenAsked()
    {
        var spec = Build(new ContainerCreateRequest
        {
            RootFs = "/rootfs",
            Command = ["true"],
            MountPoints =
            [
                new ContainerMount { Type = MountTypes.Volume, Name = "v", Source = "/vol/v/_data", Destination = "/data" },
                new ContainerMount { Type = MountTypes.Bind, Source = "/srv", Destination = "/srv", RW = false, Propagation = "rprivate" },
                new ContainerMount { Type = MountTypes.Bind, Source = "/mnt", Destination = "/mnt", Propagation = "rslave", NonRecursive = true },
            ],
        });
        var data = Assert.Single(spec.Mounts!, m => m.Destination == "/data");
        Assert.Equal(("bind", "/vol/v/_data"), (data.Type, data.Source));
        Assert.Equal(["rbind", "rprivate"], data.Options);
        Assert.Equal(["rbind", "ro", "rprivate"], Assert.Single(spec.Mounts!, m => m.Destination == "/srv").Options);
        Assert.Equal(["bind", "rslave"], Assert.Single(spec.Mounts!, m => m.Destination == "/mnt").Options);
        Assert.Equal("rslave", spec.Linux!.RootfsPropagation);
    }

    [Fact]
    public void ParentsAreMountedBeforeChildrenWhateverTheOrderGiven()
    {
        var spec = Build(new ContainerCreateRequest
        {
            RootFs = "/rootfs",
            Command = ["true"],
            MountPoints =
            [
                new ContainerMount { Type = MountTypes.Bind, Source = "/a", Destination = "/data/sub/deeper" },
                new ContainerMount { Type = MountTypes.Tmpfs, Destination = "/data/sub" },
                new ContainerMount { Type = MountTypes.Volume, Name = "v", Source = "/v", Destination = "/data" },
            ],
        });
        var order = spec.Mounts!.Select(m => m.Destination).Where(d => d.StartsWith("/data", StringComparison.Ordinal)).ToList();
        Assert.Equal(["/data", "/data/sub", "/data/sub/deeper"], order);
    }

    [Fact]
    public void TmpfsGetsDockersDefaultsBeforeTheUsersOptions()
    {
        var spec = Build(new ContainerCreateRequest
        {
            RootFs = "/rootfs",
            Command = ["true"],
            MountPoints = [new ContainerMount { Type = MountTypes.Tmpfs, Destination = "/run", TmpfsOptions = ["exec", "size=1024"] }],
        });
        var run = Assert.Single(spec.Mounts!, m => m.Destination == "/run");
        Assert.Equal("tmpfs", run.Type);
        Assert.Equal(["noexec", "nosuid", "nodev", "exec", "size=1024"], run.Options);
    }

    [Fact]
    public void AUserMountReplacesTheDefaultAtTheSamePlaceAndShmSizeSetsDevShm()
    {
        var spec = Build(new ContainerCreateRequest
        {
            RootFs = "/rootfs",
            Command = ["true"],
            ShmSize = 1 << 20,
        });
        Assert.Contains("size=1048576", Assert.Single(spec.Mounts!, m => m.Destination == "/dev/shm").Options!);

        var replaced = Build(new ContainerCreateRequest
        {
            RootFs = "/rootfs",
            Command = ["true"],
            MountPoints = [new ContainerMount { Type = MountTypes.Volume, Name = "shm", Source = "/v/shm", Destination = "/dev/shm" }],
        });
        Assert.Equal("bind", Assert.Single(replaced.Mounts!, m => m.Destination == "/dev/shm").Type);
    }

    [Fact]
    public void ANonPositiveShmSizeIsRefused()
    {
        var e = Assert.Throws<ContainerEngineException>(() => Build(new ContainerCreateRequest { RootFs = "/rootfs", Command = ["true"], ShmSize = 0 }));
        Assert.Contains("-ShmSize", e.Message, StringComparison.Ordinal);
    }
}
