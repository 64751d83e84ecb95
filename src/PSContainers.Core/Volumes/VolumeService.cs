using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PSContainers.Core.Containers;
using PSContainers.Core.Images;
using PSContainers.Core.State;
using PSContainers.Native;
using PSContainers.Runtime.Monitor;
using PSContainers.Runtime.Mounts;

namespace PSContainers.Core.Volumes;

/// <summary>The engine's volumes (docker volume create/ls/inspect/rm/prune with the local driver).</summary>
public sealed class VolumeService
{
    public const string LocalDriver = "local";

    private static readonly HashSet<string> LocalOptions = new(StringComparer.Ordinal) { "type", "device", "o" };

    private readonly ILogger _log;

    public VolumeService(EnginePaths? paths = null, ILogger? logger = null)
    {
        Paths = paths ?? EnginePaths.FromEnvironment();
        _log = logger ?? NullLogger.Instance;
        Store = new VolumeStore(Paths);
    }

    public EnginePaths Paths { get; }

    public VolumeStore Store { get; }

    /// <summary>docker volume create: a new volume, or the existing one of that name when it has the same driver and options.</summary>
    public ContainerVolume Create(string? name, IReadOnlyDictionary<string, string>? labels = null, IReadOnlyDictionary<string, string>? options = null,
        string? driver = null, CancellationToken cancellationToken = default)
    {
        var record = NewRecord(name, labels, options, driver, anonymous: false);
        using (Store.Lock(cancellationToken))
        {
            if (Store.TryLoad(record.Name) is { } existing)
            {
                if (!SameOptions(existing.Options, record.Options))
                {
                    throw new ContainerEngineException("VolumeNameInUse",
                        $"A volume named \"{record.Name}\" already exists with other options ({Describe(existing.Options)}); remove it first or choose another name.",
                        ContainerErrorKind.ResourceBusy, record.Name);
                }

                return ToVolume(existing, UsersByVolume());
            }

            Store.Add(record);
        }

        _log.LogDebug("created volume {Name}", record.Name);
        new Events.EventService(Paths).Emit(Runtime.Events.EngineEvent.Volume, "create", record.Name, new Dictionary<string, string> { ["driver"] = "local" });
        return ToVolume(record, []);
    }

    /// <summary>Validates a volume's settings and makes its record (not yet stored); a null name makes an anonymous 64-hex one.</summary>
    public static VolumeRecord NewRecord(string? name, IReadOnlyDictionary<string, string>? labels, IReadOnlyDictionary<string, string>? options, string? driver, bool anonymous)
    {
        if (driver is not (null or "" or LocalDriver))
        {
            throw new ContainerEngineException("VolumeDriverNotFound",
                $"Volume driver \"{driver}\" is not available: only the local driver is (volume plugins are not supported).", ContainerErrorKind.InvalidArgument, driver);
        }

        var generated = string.IsNullOrEmpty(name);
        var volumeName = generated ? VolumeStore.NewAnonymousName() : name!;
        MountSpecParser.ValidateVolumeName(volumeName);
        var opts = new Dictionary<string, string>(options ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        ValidateLocalOptions(opts, volumeName);
        return new VolumeRecord
        {
            Name = volumeName,
            CreatedAt = DateTimeOffset.UtcNow,
            Labels = new Dictionary<string, string>(labels ?? new Dictionary<string, string>(), StringComparer.Ordinal),
            Options = opts,
            Anonymous = anonymous || generated,
        };
    }

    /// <summary>The local driver's -o options: type and device together (a mount(2) of device on the volume's directory), o the mount options.</summary>
    private static void ValidateLocalOptions(Dictionary<string, string> options, string name)
    {
        foreach (var key in options.Keys)
        {
            if (!LocalOptions.Contains(key))
            {
                throw ContainerEngineException.Invalid(key == "size"
                    ? $"The volume option \"size\" of volume {name} needs an xfs backing filesystem with project quotas, which this engine does not manage; use type=tmpfs with o=size=… for a size-limited volume."
                    : $"Unknown volume option \"{key}\" for volume {name}: the local driver takes type, device and o.", key);
            }
        }

        options.TryGetValue("type", out var type);
        options.TryGetValue("device", out var device);
        options.TryGetValue("o", out var o);
        if (string.IsNullOrEmpty(type) != string.IsNullOrEmpty(device))
        {
            throw ContainerEngineException.Invalid(string.IsNullOrEmpty(type)
                ? $"Volume {name}: the option device needs type as well (type=none with o=bind for a directory, type=tmpfs, or the device's filesystem)."
                : $"Volume {name}: the option type needs device as well (device=tmpfs for a tmpfs, a host path with o=bind, or a block device).", name);
        }

        if (!string.IsNullOrEmpty(o) && string.IsNullOrEmpty(type))
        {
            throw ContainerEngineException.Invalid($"Volume {name}: the option o (mount options) needs type and device.", name);
        }

        if (!string.IsNullOrEmpty(o))
        {
            MountOptions.Parse(o.Split(',', StringSplitOptions.RemoveEmptyEntries));
        }

        var bind = (o ?? "").Split(',').Any(w => w is "bind" or "rbind");
        if (bind && !Path.IsPathFullyQualified(device!))
        {
            throw ContainerEngineException.Invalid($"Volume {name}: a bind-backed volume needs device to be an absolute host path, not \"{device}\".", device);
        }
    }

    public ContainerVolume Get(string name)
    {
        var record = Store.TryLoad(name) ?? throw NotFound(name);
        return ToVolume(record, UsersByVolume());
    }

    /// <summary>Every volume, by name.</summary>
    public IReadOnlyList<ContainerVolume> List()
    {
        var users = UsersByVolume();
        return Store.List().Select(v => ToVolume(v, users)).ToList();
    }

    /// <summary>docker volume rm: refused while a container uses it; with force, stopped users do not hold it (running ones always do).</summary>
    public void Remove(string name, bool force, CancellationToken cancellationToken = default)
    {
        using (Store.Lock(cancellationToken))
        {
            if (Store.TryLoad(name) is null)
            {
                throw NotFound(name);
            }

            var users = UsersByVolume().GetValueOrDefault(name) ?? [];
            var containers = new ContainerService(Paths, _log);
            var running = users.Where(u => containers.Inspect(u.Id)?.Status is ContainerStatus.Running or ContainerStatus.Paused).ToList();
            if (running.Count > 0 || (!force && users.Count > 0))
            {
                var list = string.Join(", ", (running.Count > 0 ? running : users).Select(u => u.Name).Order(StringComparer.Ordinal));
                throw new ContainerEngineException("VolumeInUse", running.Count > 0
                        ? $"Volume {name} is in use by running container(s) {list}; stop and remove them first."
                        : $"Volume {name} is in use by container(s) {list}; remove them first, or use -Force to remove it from under the stopped containers.",
                    ContainerErrorKind.ResourceBusy, name);
            }

            DeleteLocked(name);
        }
    }

    /// <summary>Deletes unused volumes: the anonymous ones, or every unused one with all (docker volume prune [-a]).</summary>
    public VolumePruneResult Prune(bool all, CancellationToken cancellationToken = default) => Prune(all, null, cancellationToken);

    /// <summary>As <see cref="Prune(bool, CancellationToken)"/>, removing only the unused volumes <paramref name="matches"/> accepts (docker's label filters).</summary>
    public VolumePruneResult Prune(bool all, Func<ContainerVolume, bool>? matches, CancellationToken cancellationToken = default)
    {
        var deleted = new List<string>();
        long bytes = 0;
        using (Store.Lock(cancellationToken))
        {
            var users = UsersByVolume();
            foreach (var volume in Store.List().Where(v => (all || v.Anonymous) && !users.ContainsKey(v.Name) && (matches is null || matches(ToVolume(v, users)))))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var size = DirectorySize(Store.DataDir(volume.Name));
                DeleteLocked(volume.Name);
                deleted.Add(volume.Name);
                bytes += size;
            }
        }

        return new VolumePruneResult(deleted, bytes);
    }

    /// <summary>The Volumes row of docker system df.</summary>
    public DiskUsageItem DiskUsage()
    {
        var users = UsersByVolume();
        long size = 0, reclaimable = 0;
        var volumes = Store.List();
        foreach (var v in volumes)
        {
            var bytes = DirectorySize(Store.DataDir(v.Name));
            size += bytes;
            reclaimable += users.ContainsKey(v.Name) ? 0 : bytes;
        }

        return new DiskUsageItem { Type = "Volumes", Total = volumes.Count, Active = volumes.Count(v => users.ContainsKey(v.Name)), Size = size, Reclaimable = reclaimable };
    }

    /// <summary>Deletes the volume now (the caller holds the lock and knows nothing uses it): unmount, record, data.</summary>
    internal void DeleteLocked(string name)
    {
        Unmount(name);
        Store.Delete(name);
        _log.LogDebug("removed volume {Name}", name);
        new Events.EventService(Paths).Emit(Runtime.Events.EngineEvent.Volume, "destroy", name, new Dictionary<string, string> { ["driver"] = "local" });
    }

    /// <summary>A volume with type/device options gets its filesystem mounted on its data directory on first use (the local driver's mount).</summary>
    internal void EnsureMounted(VolumeRecord record)
    {
        if (!record.Options.TryGetValue("type", out var type) || !record.Options.TryGetValue("device", out var device))
        {
            return;
        }

        var data = Store.DataDir(record.Name);
        Directory.CreateDirectory(data);
        if (OverlayMount.IsMountPoint(data))
        {
            return;
        }

        var options = MountOptions.Parse((record.Options.GetValueOrDefault("o") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries));
        if (Libc.Mount(device, data, type == "none" ? null : type, options.Flags, options.Data) != 0)
        {
            var errno = Libc.LastErrno;
            throw new ContainerEngineException("VolumeMountFailed",
                $"Cannot mount volume {record.Name} ({Describe(record.Options)}) on {data}: {new SyscallException("mount", data, errno).Message}.",
                ContainerErrorKind.OperationFailed, record.Name);
        }

        if (options.Propagation != 0)
        {
            Libc.Check(Libc.Mount(null, data, null, options.Propagation, null), "mount (propagation)", data);
        }

        _log.LogDebug("mounted {Type} {Device} on volume {Name}", type, device, record.Name);
    }

    private void Unmount(string name)
    {
        var data = Store.DataDir(name);
        for (var i = 0; i < 8 && Directory.Exists(data) && OverlayMount.IsMountPoint(data); i++)
        {
            if (Libc.Umount2(data, Consts.MNT_DETACH) != 0)
            {
                throw new ContainerEngineException("VolumeRemoveFailed",
                    $"Cannot unmount volume {name} from {data}: {new SyscallException("umount2", data, Libc.LastErrno).Message}.", ContainerErrorKind.OperationFailed, name);
            }
        }
    }

    /// <summary>Volume name to the containers (id, name) whose records mount it.</summary>
    internal Dictionary<string, List<(string Id, string Name)>> UsersByVolume()
    {
        var store = new ContainerStore(Paths);
        var users = new Dictionary<string, List<(string Id, string Name)>>(StringComparer.Ordinal);
        foreach (var id in store.Ids())
        {
            if (store.TryLoad(id) is not { } record)
            {
                continue;
            }

            foreach (var name in (record.Config.MountPoints ?? []).Where(m => m.Type == MountTypes.Volume && m.Name is not null).Select(m => m.Name!).Distinct())
            {
                if (!users.TryGetValue(name, out var list))
                {
                    users[name] = list = [];
                }

                list.Add((id, record.Name));
            }
        }

        return users;
    }

    private ContainerVolume ToVolume(VolumeRecord record, Dictionary<string, List<(string Id, string Name)>> users) => new()
    {
        Name = record.Name,
        Driver = record.Driver,
        Mountpoint = Store.DataDir(record.Name),
        CreatedAt = record.CreatedAt,
        Labels = record.Labels,
        Options = record.Options,
        Anonymous = record.Anonymous,
        UsedBy = users.GetValueOrDefault(record.Name)?.Select(u => u.Name).Order(StringComparer.Ordinal).ToList() ?? [],
    };

    private static bool SameOptions(Dictionary<string, string> a, Dictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private static string Describe(Dictionary<string, string> options) =>
        options.Count == 0 ? "no options" : string.Join(", ", options.Select(kv => $"{kv.Key}={kv.Value}"));

    public static ContainerEngineException NotFound(string name) =>
        new("VolumeNotFound", $"No volume is named \"{name}\". Get-ContainerVolume lists the volumes.", ContainerErrorKind.NotFound, name);

    internal static long DirectorySize(string dir)
    {
        if (!Directory.Exists(dir))
        {
            return 0;
        }

        long total = 0;
        foreach (var file in new DirectoryInfo(dir).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true }))
        {
            total += file.Length;
        }

        return total;
    }
}
