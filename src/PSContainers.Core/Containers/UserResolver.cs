using System.Globalization;
using PSContainers.Runtime.Paths;

namespace PSContainers.Core.Containers;

/// <summary>Turns "uid[:gid]" or "name[:group]" into numbers, reading names from the container's own /etc/passwd and /etc/group.</summary>
public static class UserResolver
{
    public static (uint Uid, uint Gid, string? Home) Resolve(string rootfs, string user) => Resolve([rootfs], user);

    /// <summary>As Resolve, reading the files from a stack of layers (top first): the topmost layer that has the file wins.</summary>
    public static (uint Uid, uint Gid, string? Home) Resolve(IReadOnlyList<string> layers, string user)
    {
        var rootfs = layers;
        var parts = user.Split(':', 2);
        var userPart = parts[0];
        uint uid;
        uint gid = 0;
        string? home = null;
        if (uint.TryParse(userPart, NumberStyles.None, CultureInfo.InvariantCulture, out uid))
        {
            // A numeric user keeps the group of its passwd entry when it has one, as docker does.
            if (FindEntry(rootfs, "etc/passwd", f => f.Length >= 7 && f[2] == userPart) is { } entry)
            {
                gid = uint.Parse(entry[3], CultureInfo.InvariantCulture);
                home = entry[5];
            }
        }
        else
        {
            var entry = FindEntry(rootfs, "etc/passwd", f => f.Length >= 7 && f[0] == userPart)
                ?? throw ContainerEngineException.Invalid($"User \"{userPart}\" is not in the container's /etc/passwd; give a numeric uid or a user that exists in the root filesystem.", user);
            uid = uint.Parse(entry[2], CultureInfo.InvariantCulture);
            gid = uint.Parse(entry[3], CultureInfo.InvariantCulture);
            home = entry[5];
        }

        if (parts.Length == 2)
        {
            var groupPart = parts[1];
            if (!uint.TryParse(groupPart, NumberStyles.None, CultureInfo.InvariantCulture, out gid))
            {
                var group = FindEntry(rootfs, "etc/group", f => f.Length >= 3 && f[0] == groupPart)
                    ?? throw ContainerEngineException.Invalid($"Group \"{groupPart}\" is not in the container's /etc/group; give a numeric gid or a group that exists in the root filesystem.", user);
                gid = uint.Parse(group[2], CultureInfo.InvariantCulture);
            }
        }

        return (uid, gid, home);
    }

    /// <summary>
    /// The supplementary groups a process of the user gets, as docker and podman set them: the primary group, then
    /// every group of /etc/group that lists the user by name.
    /// </summary>
    public static List<uint> SupplementaryGroups(IReadOnlyList<string> layers, string user, uint gid)
    {
        var groups = new List<uint> { gid };
        var name = user.Split(':', 2)[0];
        if (uint.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
        {
            // A numeric user has a name only through its passwd entry.
            name = FindEntry(layers, "etc/passwd", f => f.Length >= 7 && f[2] == name)?[0] ?? "";
        }

        if (name.Length == 0)
        {
            return groups;
        }

        FindEntry(layers, "etc/group", f =>
        {
            if (f.Length >= 4 && f[3].Split(',').Contains(name) && uint.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var member) && !groups.Contains(member))
            {
                groups.Add(member);
            }

            // Keep reading: every line is looked at.
            return false;
        });
        return groups;
    }

    /// <summary>The gid of a group name in the layers' /etc/group; null when it has none.</summary>
    public static uint? GroupId(IReadOnlyList<string> layers, string name) =>
        FindEntry(layers, "etc/group", f => f.Length >= 3 && f[0] == name) is { } entry
        && uint.TryParse(entry[2], NumberStyles.None, CultureInfo.InvariantCulture, out var gid) ? gid : null;

    private static string[]? FindEntry(IReadOnlyList<string> layers, string file, Func<string[], bool> match)
    {
        string? path = null;
        foreach (var layer in layers)
        {
            try
            {
                // The root filesystem is untrusted: a symlinked /etc/passwd must not read a host file.
                var candidate = SecurePath.Resolve(layer, file);
                if (File.Exists(candidate))
                {
                    path = candidate;
                    break;
                }

                // A whiteout (0:0 character device) hides the file of the layers below.
                if (PSContainers.Native.Libc.Lstat(candidate) is { } st && (st.Mode & PSContainers.Native.Libc.S_IFMT) == PSContainers.Native.Libc.S_IFCHR && st.Rdev == 0)
                {
                    return null;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                return null;
            }
        }

        if (path is null)
        {
            return null;
        }

        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var fields = line.Split(':');
            if (match(fields))
            {
                return fields;
            }
        }

        return null;
    }
}
