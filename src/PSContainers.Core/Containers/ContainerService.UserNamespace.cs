using Microsoft.Extensions.Logging;
using PSContainers.Core.Network;
using PSContainers.Core.Security;
using PSContainers.Native;
using PSContainers.Runtime.Monitor;
using PSContainers.Runtime.Spec;

namespace PSContainers.Core.Containers;

// User namespaces: the range a container's ids map to, and how its layers and volumes show the image's owners.
public sealed partial class ContainerService
{
    /// <summary>$PSCONTAINERS_USERNS_METHOD: idmap or copy; by default idmap where the layer store's filesystem takes it.</summary>
    public const string UserNamespaceMethodVariable = "PSCONTAINERS_USERNS_METHOD";

    /// <summary>
    /// Gives a mapped container its maps (allocated for auto), picks the method for its layers and points its volume
    /// mounts at their idmapped clones; returns the layers the overlay uses (chowned copies with the copy method).
    /// </summary>
    private IReadOnlyList<string> MapUserNamespace(string id, ContainerCreateRequest request, UserNamespaceSettings userns, Spec spec,
        IReadOnlyList<string> layers, CancellationToken cancellationToken)
    {
        request.UidMappings = null;
        request.GidMappings = null;
        request.UserNamespaceMethod = null;
        request.IdMappedSources = null;
        if (userns.Mode == UserNamespaceMode.Host)
        {
            return layers;
        }

        var method = ChooseUserNamespaceMethod();
        var allocator = UserNamespaceAllocator.ForEngine(Paths);
        if (userns.Mode == UserNamespaceMode.Auto)
        {
            var host = allocator.Allocate(id, userns.AutoSize, cancellationToken);
            request.UidMappings = [new LinuxIdMapping { ContainerId = 0, HostId = host, Size = userns.AutoSize }];
            request.GidMappings = [new LinuxIdMapping { ContainerId = 0, HostId = host, Size = userns.AutoSize }];
        }
        else
        {
            request.UidMappings = userns.UidMap;
            request.GidMappings = userns.GidMap;
            var root = userns.UidMap.First(m => m.ContainerId == 0);
            allocator.Reserve(id, root.HostId, root.Size, cancellationToken);
        }

        try
        {
            request.UserNamespaceMethod = method;
            ContainerSpecBuilder.ApplyUserNamespace(spec, request);
            var sources = new List<string>();
            var volumesDir = Paths.VolumesDir.TrimEnd('/') + "/";
            foreach (var mount in spec.Mounts!.Where(m => m.Type == "bind" && m.Source is not null && m.Source.StartsWith(volumesDir, StringComparison.Ordinal)))
            {
                // Named and anonymous volumes keep the ids they have on disk and are seen through an idmapped clone.
                sources.Add(mount.Source!);
                mount.Source = OverlayMount.BindTarget(Paths.MergedDir(id), sources.Count - 1);
            }

            request.IdMappedSources = sources;
            if (sources.Count > 0 && method != "idmap")
            {
                throw ContainerEngineException.Invalid($"Volumes in a -UserNS container need idmapped mounts, which the filesystem under {Paths.Root} does not take (method {method}); use a bind mount of a host directory instead.");
            }

            _log.LogDebug("container {Id}: user namespace uid {Uid} gid {Gid}, layers by {Method}", id,
                IdMappedMountsText(request.UidMappings), IdMappedMountsText(request.GidMappings), method);
            return method == "copy" ? ShiftedLayerDirs(request, cancellationToken) : layers;
        }
        catch
        {
            allocator.Release(id);
            throw;
        }
    }

    /// <summary>Chowned copies of the container's layers (top first), made on first use and shared by containers with the same maps.</summary>
    private IReadOnlyList<string> ShiftedLayerDirs(ContainerCreateRequest config, CancellationToken cancellationToken) =>
        LayerDirs(config).Select(l => Images.Snapshots.ShiftedLayerCache.Ensure(ShiftedLayersDir, l, config.UidMappings!, config.GidMappings!, cancellationToken)).ToList();

    /// <summary>The cache of chowned layer copies (the copy method).</summary>
    public string ShiftedLayersDir => Path.Combine(Paths.Root, "userns-layers");

    private static string IdMappedMountsText(List<LinuxIdMapping> maps) => string.Join(',', maps.Select(m => $"{m.ContainerId}:{m.HostId}:{m.Size}"));

    private string ChooseUserNamespaceMethod()
    {
        var wanted = Environment.GetEnvironmentVariable(UserNamespaceMethodVariable);
        if (!string.IsNullOrEmpty(wanted))
        {
            return wanted is "idmap" or "copy"
                ? wanted
                : throw ContainerEngineException.Invalid($"${UserNamespaceMethodVariable} \"{wanted}\" is not a method: use idmap or copy.", wanted);
        }

        Directory.CreateDirectory(Paths.Root);
        return IdMapSupport.Supported(Paths.Root) ? "idmap" : "copy";
    }

    /// <summary>The monitor's idmap flags for a mapped container: its maps, whether the lowers are idmapped, the volume sources.</summary>
    private static List<string> IdMapMonitorArguments(ContainerCreateRequest config)
    {
        if (config.UidMappings is not { Count: > 0 } uids || config.GidMappings is not { Count: > 0 } gids)
        {
            return [];
        }

        var args = new List<string> { "--idmap", Runtime.Mounts.IdMappedMounts.Format(uids, gids) };
        if (config.UserNamespaceMethod == "idmap")
        {
            args.Add("--idmap-lowers");
        }

        if (config.IdMappedSources is { Count: > 0 } sources)
        {
            args.Add("--idmap-binds");
            args.Add(string.Join('\n', sources));
        }

        return args;
    }

    private void ReleaseUserNamespace(string id, ContainerCreateRequest config)
    {
        if (config.UidMappings is { Count: > 0 })
        {
            UserNamespaceAllocator.ForEngine(Paths).Release(id);
            if (config.UserNamespaceMethod == "copy")
            {
                DropShiftedLayers(id, config);
            }
        }
    }

    /// <summary>
    /// Removes the chowned copies of a removed container's layers that no other container uses. A container created
    /// with the same maps meanwhile loses nothing for good: its start makes any missing copy again.
    /// </summary>
    private void DropShiftedLayers(string id, ContainerCreateRequest config)
    {
        var unused = ShiftedLayerPaths(config);
        foreach (var other in Store.Ids())
        {
            if (unused.Count == 0)
            {
                return;
            }

            if (other != id && Store.TryLoad(other)?.Config is { UserNamespaceMethod: "copy", UidMappings.Count: > 0 } otherConfig)
            {
                unused.ExceptWith(ShiftedLayerPaths(otherConfig));
            }
        }

        foreach (var path in unused.Where(Directory.Exists))
        {
            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _log.LogWarning("container {Id}: its chowned layer copy {Path} could not be removed: {Message}", id, path, e.Message);
            }
        }
    }

    private HashSet<string> ShiftedLayerPaths(ContainerCreateRequest config) =>
        LayerDirs(config).Select(l => Images.Snapshots.ShiftedLayerCache.PathOf(ShiftedLayersDir, l, config.UidMappings!, config.GidMappings!)).ToHashSet(StringComparer.Ordinal);

    /// <summary>Where CopyIn puts hostPath (resolved inside the container's root before the copy), as docker cp decides.</summary>
    private string CopiedInPath(string id, string hostPath, string containerPath)
    {
        var merged = Paths.MergedDir(id);
        var destination = containerPath.TrimEnd('/');
        if (Directory.Exists(Runtime.Paths.SecurePath.Resolve(merged, containerPath)))
        {
            destination = destination + "/" + Path.GetFileName(hostPath.TrimEnd('/'));
        }

        return Runtime.Paths.SecurePath.Resolve(merged, destination);
    }

    /// <summary>
    /// What Copy-ContainerItem put into a mapped container keeps its owners as container ids: host root's files
    /// become the container root's (its host uid), as docker cp gives a remapped container's root.
    /// </summary>
    private static unsafe void ShiftCopiedIn(ContainerCreateRequest config, string copied)
    {
        if (config.UidMappings is not { Count: > 0 } uids || config.GidMappings is not { Count: > 0 } gids || !LibcAt.Lstat(copied, out var st))
        {
            return;
        }

        var path = Libc.Utf8(copied);
        fixed (byte* p = path)
        {
            Libc.Check(LibcAt.FchownAt(Consts.AT_FDCWD, p, Images.Snapshots.ShiftedLayerCache.Shift(st.Uid, uids),
                Images.Snapshots.ShiftedLayerCache.Shift(st.Gid, gids), Consts.AT_SYMLINK_NOFOLLOW), "lchown", copied);
        }

        if (st.Type == Consts.S_IFDIR)
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(copied))
            {
                ShiftCopiedIn(config, entry);
            }
        }
    }

    /// <summary>
    /// The overlay's root directory takes its owner from the upper directory, which is not idmapped: a mapped
    /// container's must belong to the container's root on the host, or its root could not write in "/".
    /// </summary>
    private unsafe void OwnUpperDir(string id, ContainerCreateRequest config)
    {
        if (config.UidMappings is not { Count: > 0 } uids || config.GidMappings is not { Count: > 0 } gids)
        {
            return;
        }

        var upper = Paths.UpperDir(id);
        var path = Libc.Utf8(upper);
        fixed (byte* p = path)
        {
            Libc.Check(LibcAt.FchownAt(Consts.AT_FDCWD, p, Images.Snapshots.ShiftedLayerCache.Shift(0, uids),
                Images.Snapshots.ShiftedLayerCache.Shift(0, gids), Consts.AT_SYMLINK_NOFOLLOW), "lchown", upper);
        }
    }

    /// <summary>A mapped container's root may edit its /etc/hosts, resolv.conf and hostname, as an unmapped one may.</summary>
    private void OwnNetworkFiles(string id, ContainerCreateRequest config)
    {
        if (config.UidMappings is not { Count: > 0 } uids || config.GidMappings is not { Count: > 0 } gids)
        {
            return;
        }

        foreach (var file in new[] { Paths.HostsFile(id), Paths.ResolvConfFile(id), Paths.HostnameFile(id) }.Where(File.Exists))
        {
            Libc.Check(Libc.Chown(file, Images.Snapshots.ShiftedLayerCache.Shift(0, uids), Images.Snapshots.ShiftedLayerCache.Shift(0, gids)), "chown", file);
        }
    }

    /// <summary>The idmapped volume clones a killed monitor left mounted.</summary>
    private void UnmountIdMappedSources(string id)
    {
        var dir = Path.Combine(Paths.ContainerDir(id), "idmap");
        if (!Directory.Exists(dir))
        {
            return;
        }

        foreach (var target in Directory.EnumerateDirectories(dir))
        {
            for (var i = 0; i < 4 && IsMountPoint(target); i++)
            {
                Libc.Umount2(target, Consts.MNT_DETACH);
            }
        }
    }
}
