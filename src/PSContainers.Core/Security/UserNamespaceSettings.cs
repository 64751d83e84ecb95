using System.Globalization;
using PSContainers.Core.Containers;
using PSContainers.Runtime.Spec;

namespace PSContainers.Core.Security;

/// <summary>A container's user namespace as -UserNS, -UidMap and -GidMap ask for it, checked before anything is made.</summary>
public sealed record UserNamespaceSettings(UserNamespaceMode Mode, uint AutoSize, List<LinuxIdMapping> UidMap, List<LinuxIdMapping> GidMap)
{
    /// <summary>podman's --userns=auto size: the 16-bit id space a distribution's image expects (nobody is 65534).</summary>
    public const uint DefaultSize = 65536;

    public static UserNamespaceSettings Host { get; } = new(UserNamespaceMode.Host, 0, [], []);

    /// <summary>Parses -UserNS (host, auto, auto:size=N, private) with -UidMap/-GidMap (CONTAINER:HOST:SIZE each).</summary>
    public static UserNamespaceSettings Parse(string? userNs, IReadOnlyList<string> uidMap, IReadOnlyList<string> gidMap)
    {
        var uids = ParseMaps(uidMap, "-UidMap");
        var gids = ParseMaps(gidMap, "-GidMap");
        var text = userNs?.Trim() ?? "";
        if (uids.Count > 0 || gids.Count > 0)
        {
            if (text.Length > 0 && !text.Equals("private", StringComparison.OrdinalIgnoreCase))
            {
                throw ContainerEngineException.Invalid($"-UserNS {userNs} cannot be combined with -UidMap/-GidMap: the maps already make a user namespace of their own (leave -UserNS out or say private).", userNs);
            }

            // podman: one of the two given means the same ranges for the other.
            if (uids.Count == 0)
            {
                uids = Copy(gids);
            }

            if (gids.Count == 0)
            {
                gids = Copy(uids);
            }

            RequireRoot(uids, "-UidMap");
            RequireRoot(gids, "-GidMap");
            return new UserNamespaceSettings(UserNamespaceMode.Explicit, 0, uids, gids);
        }

        if (text.Length == 0 || text.Equals("host", StringComparison.OrdinalIgnoreCase))
        {
            return Host;
        }

        if (text.Equals("auto", StringComparison.OrdinalIgnoreCase) || text.Equals("private", StringComparison.OrdinalIgnoreCase))
        {
            return new UserNamespaceSettings(UserNamespaceMode.Auto, DefaultSize, [], []);
        }

        if (text.StartsWith("auto:", StringComparison.OrdinalIgnoreCase))
        {
            var size = DefaultSize;
            foreach (var option in text[5..].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = option.IndexOf('=');
                var key = eq < 0 ? option : option[..eq];
                if (!key.Equals("size", StringComparison.OrdinalIgnoreCase))
                {
                    throw ContainerEngineException.Invalid($"-UserNS {userNs}: the option \"{key}\" is not supported; auto takes only size=N.", userNs);
                }

                if (!uint.TryParse(option[(eq + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out size) || size == 0 || size > UserNamespaceAllocator.MaxSize)
                {
                    throw ContainerEngineException.Invalid($"-UserNS {userNs}: size must be a number from 1 to {UserNamespaceAllocator.MaxSize}.", userNs);
                }
            }

            return new UserNamespaceSettings(UserNamespaceMode.Auto, size, [], []);
        }

        throw ContainerEngineException.Invalid($"-UserNS \"{userNs}\" is not a user namespace mode: use host, auto, auto:size=N or private (or give -UidMap/-GidMap).", userNs);
    }

    /// <summary>CONTAINER:HOST:SIZE strings, refused by value when malformed, empty, past the 32-bit id space or overlapping.</summary>
    public static List<LinuxIdMapping> ParseMaps(IReadOnlyList<string> texts, string parameter)
    {
        var maps = new List<LinuxIdMapping>();
        foreach (var text in texts)
        {
            var fields = text.Split(':');
            if (fields.Length != 3
                || !uint.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var container)
                || !uint.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var host)
                || !uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            {
                throw ContainerEngineException.Invalid($"{parameter} \"{text}\" is not CONTAINER:HOST:SIZE with three numbers (e.g. 0:100000:65536).", text);
            }

            if (size == 0)
            {
                throw ContainerEngineException.Invalid($"{parameter} \"{text}\" has size 0: a range maps at least one id.", text);
            }

            // The kernel's ids end at 4294967294 (-1 means "no id").
            if ((ulong)container + size > uint.MaxValue || (ulong)host + size > uint.MaxValue)
            {
                throw ContainerEngineException.Invalid($"{parameter} \"{text}\" runs past the last id 4294967294.", text);
            }

            maps.Add(new LinuxIdMapping { ContainerId = container, HostId = host, Size = size });
        }

        // The kernel refuses overlaps inside either side of a map; saying which two is more use than its EINVAL.
        for (var i = 0; i < maps.Count; i++)
        {
            for (var j = 0; j < i; j++)
            {
                var side = Overlap(maps[i].ContainerId, maps[j].ContainerId, maps[i].Size, maps[j].Size) ? "container"
                    : Overlap(maps[i].HostId, maps[j].HostId, maps[i].Size, maps[j].Size) ? "host" : null;
                if (side is not null)
                {
                    throw ContainerEngineException.Invalid($"{parameter} \"{texts[j]}\" and \"{texts[i]}\" overlap in their {side} ids.", texts[i]);
                }
            }
        }

        if (maps.Count > 5)
        {
            // Before Linux 4.15 a map held 5 lines; later 340. More than a handful is a mistake more often than not.
            throw ContainerEngineException.Invalid($"{parameter} is given {maps.Count} times; at most 5 ranges are supported.");
        }

        return maps;
    }

    public static bool Overlap(uint a, uint b, uint sizeA, uint sizeB) => (ulong)a < (ulong)b + sizeB && (ulong)b < (ulong)a + sizeA;

    private static void RequireRoot(List<LinuxIdMapping> maps, string parameter)
    {
        // The container's processes start as its root, and the image's root-owned files need somewhere to show up.
        if (!maps.Any(m => m.ContainerId == 0))
        {
            throw ContainerEngineException.Invalid($"{parameter} maps no range that starts at container id 0: the container's root needs a host id (e.g. 0:100000:65536).");
        }
    }

    private static List<LinuxIdMapping> Copy(List<LinuxIdMapping> maps) =>
        maps.Select(m => new LinuxIdMapping { ContainerId = m.ContainerId, HostId = m.HostId, Size = m.Size }).ToList();
}
