using System.Globalization;
using PSContainers.Core.Containers;
using PSContainers.Runtime.Spec;

namespace PSContainers.Core.Volumes;

/// <summary>Adds a container's resolved mounts (volumes, binds, tmpfs, -ShmSize) to its OCI spec the way docker's daemon does.</summary>
public static class VolumeSpecMounts
{
    /// <summary>docker's defaults for a tmpfs: no programs, no set-id, no devices, unless the options say otherwise.</summary>
    private static readonly string[] TmpfsDefaults = ["noexec", "nosuid", "nodev"];

    public static void Apply(Spec spec, ContainerCreateRequest request)
    {
        spec.Mounts ??= [];
        if (request.ShmSize is { } shm)
        {
            if (shm <= 0)
            {
                throw ContainerEngineException.Invalid($"-ShmSize must be a positive number of bytes, not {shm}.");
            }

            foreach (var mount in spec.Mounts.Where(m => m.Destination == "/dev/shm"))
            {
                mount.Options = (mount.Options ?? []).Where(o => !o.StartsWith("size=", StringComparison.Ordinal))
                    .Append("size=" + shm.ToString(CultureInfo.InvariantCulture)).ToList();
            }
        }

        var mounts = request.MountPoints ?? [];
        if (mounts.Count == 0)
        {
            return;
        }

        // A user's mount replaces a default one at the same place (a volume on /dev/shm), as docker drops its default there.
        var destinations = mounts.Select(m => m.Destination).ToHashSet(StringComparer.Ordinal);
        spec.Mounts.RemoveAll(m => destinations.Contains(m.Destination.TrimEnd('/')));

        // Parents before children: a bind into a volume's directory must come after the volume is mounted. OrderBy is
        // stable, so mounts of equal depth keep the user's order.
        foreach (var m in mounts.OrderBy(m => m.Destination.Count(c => c == '/')))
        {
            spec.Mounts.Add(ToSpecMount(m));
        }

        // A shared or slave bind needs the container's root to propagate as well (docker raises rootfsPropagation the same way).
        if (mounts.Any(m => m.Propagation is "shared" or "rshared"))
        {
            spec.Linux!.RootfsPropagation = "rshared";
        }
        else if (mounts.Any(m => m.Propagation is "slave" or "rslave") && spec.Linux!.RootfsPropagation is not ("shared" or "rshared"))
        {
            spec.Linux!.RootfsPropagation = "rslave";
        }
    }

    public static Mount ToSpecMount(ContainerMount m)
    {
        if (m.Type == MountTypes.Tmpfs)
        {
            return new Mount
            {
                Destination = m.Destination,
                Type = "tmpfs",
                Source = "tmpfs",
                Options = [.. TmpfsDefaults, .. m.TmpfsOptions ?? []],
            };
        }

        var options = new List<string> { m.NonRecursive ? "bind" : "rbind" };
        if (!m.RW)
        {
            options.Add("ro");
        }

        options.Add(string.IsNullOrEmpty(m.Propagation) ? "rprivate" : m.Propagation);
        return new Mount { Destination = m.Destination, Type = "bind", Source = m.Source, Options = options };
    }
}
