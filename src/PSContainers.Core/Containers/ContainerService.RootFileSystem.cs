using PSContainers.Native;

namespace PSContainers.Core.Containers;

public sealed partial class ContainerService
{
    /// <summary>
    /// Runs work on the container's root filesystem: the monitor's mount while it runs; for a created or exited
    /// container (docker cp and export allow both) the same overlay of its layers and upper directory, mounted on a
    /// private directory under the run root for the call and unmounted after it, under the container's lock so a
    /// start cannot mount the same upper directory meanwhile.
    /// </summary>
    /// <remarks>
    /// A stopped container's volumes and bind mounts are not mounted for the call, so a path at or under one of
    /// their destinations is refused by name rather than answered from the directory under the mount point.
    /// </remarks>
    private void InRootFileSystem(string id, string idOrName, string? containerPath, Action<string> work)
    {
        if (IsRunning(id))
        {
            work(Paths.MergedDir(id));
            return;
        }

        using (Store.LockContainer(id))
        {
            // Started while the lock was awaited: the monitor's mount is there now.
            if (IsRunning(id))
            {
                work(Paths.MergedDir(id));
                return;
            }

            var config = Store.Load(id).Config;
            if (containerPath is not null && OnStoppedMount(config, containerPath) is { } mount)
            {
                throw new ContainerEngineException("ContainerPathOnMount",
                    $"{containerPath} is on the {mount.Type} mounted at {mount.Destination} in container {idOrName}, which is not running: its mounts are not there to copy. Start the container, or copy through the volume itself.",
                    ContainerErrorKind.InvalidState, containerPath);
            }

            var merged = Path.Combine(Paths.RunRoot, "rootfs-mounts", $"{id[..12]}-{Environment.ProcessId}-{Guid.NewGuid():N}");
            Directory.CreateDirectory(merged);
            try
            {
                Libc.Check(Libc.Mount("overlay", merged, "overlay", Consts.MS_NODEV | Consts.MS_NOSUID,
                    $"lowerdir={LowerDirOption(config)},upperdir={Paths.UpperDir(id)},workdir={Paths.WorkDir(id)}"), "mount", merged);
                try
                {
                    work(merged);
                }
                finally
                {
                    Libc.Check(Libc.Umount2(merged, 0), "umount2", merged);
                }
            }
            finally
            {
                Directory.Delete(merged);
            }
        }
    }

    private bool IsRunning(string id) => Inspect(id)?.Status is ContainerStatus.Running or ContainerStatus.Paused;

    private static Volumes.ContainerMount? OnStoppedMount(ContainerCreateRequest config, string containerPath)
    {
        var path = "/" + string.Join('/', containerPath.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != "."));
        return (config.MountPoints ?? []).FirstOrDefault(m =>
        {
            var destination = "/" + string.Join('/', m.Destination.Split('/', StringSplitOptions.RemoveEmptyEntries));
            return path == destination || path.StartsWith(destination == "/" ? "/" : destination + "/", StringComparison.Ordinal);
        });
    }

    public ContainerSize Size(string idOrName)
    {
        var id = Store.Resolve(idOrName);
        var config = Store.Load(id).Config;
        var writable = FileBytes(Paths.UpperDir(id));
        long layers = 0;
        if (config.ImageLayers is { Count: > 0 } chain)
        {
            var snapshots = new Images.Snapshots.SnapshotStore(Paths.SnapshotsDir);
            // The snapshot's recorded size is what unpacking it wrote; a -RootFs container has no layers of ours to count.
            layers = chain.Sum(c => snapshots.Info(Images.Digest.Parse(c))?.Size ?? 0);
        }

        return new ContainerSize(writable, writable + layers);
    }

    /// <summary>The bytes of the regular files below a directory, not following links; 0 when it is gone.</summary>
    private static long FileBytes(string dir)
    {
        if (!Directory.Exists(dir))
        {
            return 0;
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        return new DirectoryInfo(dir).EnumerateFiles("*", options).Sum(f => f.Length);
    }
}
