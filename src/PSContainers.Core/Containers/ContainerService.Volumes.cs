using Microsoft.Extensions.Logging;
using PSContainers.Core.State;
using PSContainers.Core.Volumes;
using PSContainers.Runtime.Monitor;
using PSContainers.Runtime.Paths;

namespace PSContainers.Core.Containers;

// A container's volumes and mounts: parsed and resolved at create, claimed with the record, filled from the image,
// mounted (driver options) at start, and anonymous ones removed with the container when asked.
public sealed partial class ContainerService
{
    /// <summary>Parses -Volume, -Mount, -Tmpfs and -VolumesFrom and the image's VOLUMEs into the request's MountPoints; writes nothing.</summary>
    /// <returns>The user's request behind each volume mount (driver options, labels for a volume made on first use), by destination.</returns>
    private Dictionary<string, MountRequest> PlanMounts(ContainerCreateRequest request, IReadOnlyList<string> layers)
    {
        var requests = new List<MountRequest>();
        var home = System.Environment.GetEnvironmentVariable("HOME");
        requests.AddRange(request.Volumes.Select(v => MountSpecParser.ParseVolume(v, request.MountBaseDirectory, home)));
        requests.AddRange(request.Mounts.Select(m => MountSpecParser.ParseMount(m, request.MountBaseDirectory, home)));
        requests.AddRange(request.Tmpfs.Select(MountSpecParser.ParseTmpfs));
        var volumeStore = new VolumeStore(Paths);
        var mounts = new List<ContainerMount>();
        var byTarget = new Dictionary<string, MountRequest>(StringComparer.Ordinal);
        foreach (var r in requests)
        {
            if (!byTarget.TryAdd(r.Target, r))
            {
                throw ContainerEngineException.Invalid($"Duplicate mount point: {r.Target} ({byTarget[r.Target].Origin} and {r.Origin}).", r.Target);
            }

            mounts.Add(Resolve(r, volumeStore));
        }

        // --volumes-from: the other container's volumes and binds at the same places; the user's own mounts win.
        foreach (var from in request.VolumesFrom)
        {
            var colon = from.LastIndexOf(':');
            var (reference, mode) = colon > 0 ? (from[..colon], from[(colon + 1)..]) : (from, "");
            if (mode is not ("" or "ro" or "rw"))
            {
                throw ContainerEngineException.Invalid($"Invalid mode \"{mode}\" in -VolumesFrom '{from}': use CONTAINER, CONTAINER:ro or CONTAINER:rw.", from);
            }

            var source = Store.Load(Store.Resolve(reference));
            foreach (var m in (source.Config.MountPoints ?? []).Where(m => m.Type != MountTypes.Tmpfs))
            {
                if (mounts.Any(x => x.Destination == m.Destination))
                {
                    continue;
                }

                mounts.Add(new ContainerMount
                {
                    Type = m.Type, Name = m.Name, Source = m.Source, Destination = m.Destination, Driver = m.Driver, Mode = mode.Length > 0 ? mode : m.Mode,
                    RW = mode.Length > 0 ? mode == "rw" : m.RW, Propagation = m.Propagation, NonRecursive = m.NonRecursive, SubPath = m.SubPath,
                    // The volume belongs to the container that made it: removing this one never deletes it.
                    Anonymous = false, NoCopy = true,
                });
            }
        }

        // An image VOLUME gets an anonymous volume unless a mount already covers that path.
        foreach (var path in request.ImageVolumes ?? [])
        {
            var target = Path.GetFullPath("/" + path.TrimStart('/')).TrimEnd('/');
            if (target.Length == 0 || mounts.Any(m => m.Destination == target))
            {
                continue;
            }

            var name = VolumeStore.NewAnonymousName();
            mounts.Add(new ContainerMount
            {
                Type = MountTypes.Volume, Name = name, Source = volumeStore.DataDir(name), Destination = target, Driver = VolumeService.LocalDriver, Anonymous = true,
            });
        }

        foreach (var m in mounts)
        {
            CheckTargetKind(m, layers);
        }

        request.MountPoints = mounts.Count > 0 ? mounts : null;
        return byTarget;
    }

    /// <summary>
    /// A directory cannot be mounted over a file the image has, nor a file over a directory: refused at create with the
    /// paths the user knows, as docker does ("cannot mount volume over existing file"), rather than at start.
    /// </summary>
    private static void CheckTargetKind(ContainerMount m, IReadOnlyList<string> layers)
    {
        var sourceIsDirectory = m.Type != MountTypes.Bind || Directory.Exists(m.Source);
        // The topmost layer that has the path decides; a whiteout there means the image has nothing.
        foreach (var layer in layers)
        {
            string inLayer;
            try
            {
                inLayer = SecurePath.Resolve(layer, m.Destination);
            }
            catch (IOException)
            {
                return;
            }

            if (!Native.LibcAt.Lstat(inLayer, out var st))
            {
                continue;
            }

            var type = st.Type;
            if (type == Native.Consts.S_IFCHR && st.Rdev == 0)
            {
                return;
            }

            var isDirectory = type == Native.Consts.S_IFDIR;
            if (isDirectory != sourceIsDirectory)
            {
                var what = m.Type switch
                {
                    MountTypes.Volume => $"volume {m.Name}",
                    MountTypes.Tmpfs => "a tmpfs",
                    _ => $"{(sourceIsDirectory ? "the directory" : "the file")} {m.Source}",
                };
                throw new ContainerEngineException("MountTargetMismatch",
                    $"Cannot mount {what} on {m.Destination}: the image has a {(isDirectory ? "directory" : "file")} there and {(sourceIsDirectory ? "a directory" : "a file")} cannot be mounted over it.",
                    ContainerErrorKind.InvalidArgument, m.Destination);
            }

            return;
        }
    }

    private static ContainerMount Resolve(MountRequest r, VolumeStore volumes)
    {
        switch (r.Type)
        {
            case MountTypes.Bind:
                if (!Path.Exists(r.Source))
                {
                    throw new ContainerEngineException("BindSourceNotFound",
                        $"Bind source path does not exist: {r.Source} ({r.Origin}). Create it first; the engine does not make host directories.",
                        ContainerErrorKind.NotFound, r.Source);
                }

                return new ContainerMount
                {
                    Type = MountTypes.Bind, Source = r.Source, Destination = r.Target, Mode = r.Mode, RW = !r.ReadOnly,
                    Propagation = r.Propagation ?? "rprivate", NonRecursive = r.NonRecursive,
                };
            case MountTypes.Tmpfs:
                return new ContainerMount
                {
                    Type = MountTypes.Tmpfs, Destination = r.Target, Mode = r.Mode, RW = !r.ReadOnly, TmpfsOptions = [.. r.TmpfsOptions],
                };
            default:
                var anonymous = r.Source.Length == 0;
                var name = anonymous ? VolumeStore.NewAnonymousName() : r.Source;
                var source = volumes.DataDir(name);
                return new ContainerMount
                {
                    // A subpath is resolved inside the volume: a symlink a container left there cannot point the bind at the host.
                    Type = MountTypes.Volume, Name = name, Source = r.SubPath is null ? source : SecurePath.Resolve(source, r.SubPath), Destination = r.Target,
                    Driver = VolumeService.LocalDriver, Mode = r.Mode, RW = !r.ReadOnly, Anonymous = anonymous, NoCopy = r.NoCopy, SubPath = r.SubPath,
                };
        }
    }

    /// <summary>
    /// Writes the container's record together with its volumes: missing ones are created (a name used for the first time,
    /// anonymous ones), empty ones are filled from the image. All under the volume lock, so no removal or prune runs in
    /// between; on failure the record and the volumes made here are gone again.
    /// </summary>
    private void AddWithVolumes(StoredContainer record, Dictionary<string, MountRequest> requests, IReadOnlyList<string> layers, CancellationToken cancellationToken)
    {
        var volumeMounts = (record.Config.MountPoints ?? []).Where(m => m.Type == MountTypes.Volume).ToList();
        if (volumeMounts.Count == 0)
        {
            Store.Add(record, cancellationToken);
            return;
        }

        var volumes = new VolumeService(Paths, _log);
        var created = new List<string>();
        using var held = volumes.Store.Lock(cancellationToken);
        var added = false;
        try
        {
            var records = new List<(ContainerMount Mount, VolumeRecord Volume)>();
            foreach (var m in volumeMounts)
            {
                var volume = volumes.Store.TryLoad(m.Name!);
                requests.TryGetValue(m.Destination, out var r);
                if (volume is null)
                {
                    volume = VolumeService.NewRecord(m.Name, r?.VolumeLabels, r?.VolumeOptions, null, m.Anonymous);
                    volumes.Store.Add(volume);
                    created.Add(volume.Name);
                }
                else if (r is { VolumeOptions.Count: > 0 } && !r.VolumeOptions.OrderBy(kv => kv.Key).SequenceEqual(volume.Options.OrderBy(kv => kv.Key)))
                {
                    throw new ContainerEngineException("VolumeNameInUse",
                        $"Volume {volume.Name} exists with other options than the volume-opt of {r.Origin}; remove it first, or leave volume-opt out to use it as it is.",
                        ContainerErrorKind.ResourceBusy, volume.Name);
                }

                records.Add((m, volume));
            }

            Store.Add(record, cancellationToken);
            added = true;
            FillFromImage(record.Id, records.Where(x => !x.Mount.NoCopy && x.Mount.SubPath is null).ToList(), volumes, layers, cancellationToken);
            foreach (var (m, _) in records.Where(x => x.Mount.SubPath is not null))
            {
                if (!Directory.Exists(m.Source))
                {
                    throw ContainerEngineException.Invalid($"volume-subpath {m.SubPath} does not exist in volume {m.Name}; create it there first.", m.SubPath);
                }
            }
        }
        catch
        {
            if (added)
            {
                Store.Delete(record.Id);
            }

            foreach (var name in created)
            {
                volumes.DeleteLocked(name);
            }

            throw;
        }
    }

    /// <summary>docker's copy-up: an empty volume gets what the image has at its mount path (owners, modes and times kept).</summary>
    private void FillFromImage(string id, List<(ContainerMount Mount, VolumeRecord Volume)> mounts, VolumeService volumes, IReadOnlyList<string> layers,
        CancellationToken cancellationToken)
    {
        var toFill = new List<(ContainerMount Mount, VolumeRecord Volume)>();
        foreach (var x in mounts.DistinctBy(x => x.Volume.Name))
        {
            volumes.EnsureMounted(x.Volume);
            if (VolumeCopier.IsEmpty(x.Mount.Source))
            {
                toFill.Add(x);
            }
        }

        if (toFill.Count == 0 || layers.Count == 0)
        {
            return;
        }

        // One layer (or a -RootFs directory) is the image as it is; several are seen through a read-only overlay.
        OverlayMount? view = null;
        var root = layers[0];
        if (layers.Count > 1)
        {
            var dir = Path.Combine(Paths.ContainerDir(id), "volume-copy");
            view = new OverlayMount(layers, Path.Combine(dir, "upper"), Path.Combine(dir, "work"), Path.Combine(dir, "merged"));
            foreach (var d in new[] { view.Upper, view.Work, view.Merged })
            {
                Directory.CreateDirectory(d);
            }

            view.Mount();
            root = view.Merged;
        }

        try
        {
            foreach (var (m, v) in toFill)
            {
                // Resolved inside the image as the container would see it: a symlink in the path cannot lead out of it.
                var inImage = SecurePath.Resolve(root, m.Destination);
                if (Directory.Exists(inImage) && new DirectoryInfo(inImage).LinkTarget is null)
                {
                    _log.LogDebug("filling volume {Name} from the image's {Path}", v.Name, m.Destination);
                    VolumeCopier.CopyTree(inImage, m.Source, cancellationToken);
                }
            }
        }
        finally
        {
            if (view is not null)
            {
                view.Unmount();
                Directory.Delete(Path.GetDirectoryName(view.Merged)!, recursive: true);
            }
        }
    }

    /// <summary>Before a start: volumes removed with -Force under a stopped container come back empty, and driver-option volumes are mounted.</summary>
    private void PrepareVolumes(ContainerCreateRequest config, CancellationToken cancellationToken)
    {
        var volumeMounts = (config.MountPoints ?? []).Where(m => m.Type == MountTypes.Volume && m.Name is not null).ToList();
        if (volumeMounts.Count == 0)
        {
            return;
        }

        var volumes = new VolumeService(Paths, _log);
        using var held = volumes.Store.Lock(cancellationToken);
        foreach (var m in volumeMounts.DistinctBy(m => m.Name))
        {
            var volume = volumes.Store.TryLoad(m.Name!);
            if (volume is null)
            {
                volume = VolumeService.NewRecord(m.Name, null, null, null, m.Anonymous);
                volumes.Store.Add(volume);
            }

            volumes.EnsureMounted(volume);
        }

        foreach (var m in volumeMounts.Where(m => m.SubPath is not null))
        {
            // Containers write the volume: the subpath must still be the directory it was at create, not a symlink swapped in since.
            var now = SecurePath.Resolve(volumes.Store.DataDir(m.Name!), m.SubPath!);
            if (now != m.Source || !Directory.Exists(m.Source) || new DirectoryInfo(m.Source).LinkTarget is not null)
            {
                throw ContainerEngineException.Invalid($"volume-subpath {m.SubPath} of volume {m.Name} is no longer the directory it was when the container was created.", m.SubPath);
            }
        }
    }

    /// <summary>Deletes the anonymous volumes of a removed container that no other container uses (docker rm -v, run --rm).</summary>
    private void RemoveAnonymousVolumes(ContainerCreateRequest config)
    {
        var anonymous = (config.MountPoints ?? []).Where(m => m.Anonymous && m.Name is not null).Select(m => m.Name!).Distinct().ToList();
        if (anonymous.Count == 0)
        {
            return;
        }

        var volumes = new VolumeService(Paths, _log);
        using var held = volumes.Store.Lock();
        var users = volumes.UsersByVolume();
        foreach (var name in anonymous.Where(n => !users.ContainsKey(n) && volumes.Store.TryLoad(n) is not null))
        {
            try
            {
                volumes.DeleteLocked(name);
            }
            catch (Exception e) when (e is IOException or ContainerEngineException)
            {
                // The container is gone either way; the volume stays for a prune.
                _log.LogWarning("could not remove volume {Name}: {Error}", name, e.Message);
            }
        }
    }
}
