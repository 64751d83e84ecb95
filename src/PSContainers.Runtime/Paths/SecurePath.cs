namespace PSContainers.Runtime.Paths;

/// <summary>Resolves untrusted paths inside a root directory as if that root were "/", so symlinks cannot lead out of it.</summary>
// Every caller that turns a path from a config, an image layer or a user into a host path under a rootfs goes through here:
// mount destinations, volumes, COPY/ADD, layer extraction, Copy-ContainerItem.
//
// The result is only a snapshot: a process inside a running container could swap a component for a symlink between
// Resolve and the moment the host path is used. The runtime closes that race by opening the result with
// O_PATH|O_NOFOLLOW, reading /proc/self/fd/N back and checking it still lies under root, then mounting or
// writing through /proc/self/fd/N rather than through the path string.
public static class SecurePath
{
    // Same limit as the kernel's MAXSYMLINKS, so a path that works in the container works here.
    public const int MaxSymlinks = 40;

    // Returns a host path under root for unsafePath. Symlinks are followed with absolute targets taken relative to root,
    // ".." never climbs above root, and components that do not exist yet are appended as written (so a mount target
    // can be created afterwards). Throws IOException when more than MaxSymlinks links are followed.
    public static string Resolve(string root, string unsafePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentNullException.ThrowIfNull(unsafePath);
        var cleanRoot = CleanRoot(root);
        return Join(cleanRoot, ResolveComponents(cleanRoot, unsafePath));
    }

    // Creates every missing directory of unsafePath under root, one component at a time, and returns the resolved path.
    // After each mkdir the path is resolved again, because the new directory may change what later ".." or links mean
    // and because the tree may have changed under us. mode is filtered by the process umask, as mkdir(2) does.
    public static string MkdirAll(string root, string unsafePath, UnixFileMode mode)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentNullException.ThrowIfNull(unsafePath);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("SecurePath.MkdirAll creates Unix directories.");
        }
        var cleanRoot = CleanRoot(root);

        // Each round creates at least one directory or finishes; the bound only guards against a tree that keeps changing.
        var maxRounds = unsafePath.Length + MaxSymlinks + 2;
        for (var round = 0; round < maxRounds; round++)
        {
            var components = ResolveComponents(cleanRoot, unsafePath);
            var current = cleanRoot;
            var created = false;
            foreach (var component in components)
            {
                var next = current + "/" + component;
                switch (Lstat(next))
                {
                    case EntryKind.Directory:
                        current = next;
                        continue;
                    case EntryKind.Missing:
                        // The parent exists and is a real directory, so this makes exactly one directory.
                        Directory.CreateDirectory(next, mode);
                        created = true;
                        break;
                    case EntryKind.Symlink:
                        // Appeared since we resolved: start over rather than follow it blindly.
                        created = true;
                        break;
                    default:
                        throw new IOException($"cannot create directory {Join(cleanRoot, components)}: {next} exists and is not a directory.");
                }
                break;
            }
            if (!created)
            {
                return current;
            }
        }
        throw new IOException($"cannot create {unsafePath} under {cleanRoot}: the directory tree kept changing while it was being created.");
    }

    private static List<string> ResolveComponents(string root, string unsafePath)
    {
        // Components still to walk, front first; a symlink's target is pushed in front of what followed it.
        var pending = new Stack<string>();
        PushPath(pending, unsafePath);
        var resolved = new List<string>();
        var linksFollowed = 0;

        while (pending.Count > 0)
        {
            var component = pending.Pop();
            if (component is "" or ".")
            {
                continue;
            }
            if (component == "..")
            {
                // resolved holds no symlinks, so its lexical parent is its real parent; at root, ".." stays at root.
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }
                continue;
            }

            var hostPath = Join(root, resolved) + "/" + component;
            var target = Lstat(hostPath) == EntryKind.Symlink ? new FileInfo(hostPath).LinkTarget : null;
            if (target is null)
            {
                // A real entry or a missing one: either way it is taken as written.
                resolved.Add(component);
                continue;
            }

            if (++linksFollowed > MaxSymlinks)
            {
                throw new IOException($"too many levels of symbolic links resolving {unsafePath} under {root} (more than {MaxSymlinks}).");
            }
            if (target.StartsWith('/'))
            {
                resolved.Clear();
            }
            PushPath(pending, target);
        }
        return resolved;
    }

    private static void PushPath(Stack<string> pending, string path)
    {
        var parts = path.Split('/');
        for (var i = parts.Length - 1; i >= 0; i--)
        {
            pending.Push(parts[i]);
        }
    }

    private static EntryKind Lstat(string path)
    {
        // FileInfo.Attributes comes from lstat: a symlink shows ReparsePoint, not its target's type,
        // and a missing entry (or one under a non-directory) shows -1.
        var attributes = new FileInfo(path).Attributes;
        if ((int)attributes == -1)
        {
            return EntryKind.Missing;
        }
        if (attributes.HasFlag(FileAttributes.ReparsePoint))
        {
            return EntryKind.Symlink;
        }
        return attributes.HasFlag(FileAttributes.Directory) ? EntryKind.Directory : EntryKind.Other;
    }

    private static string CleanRoot(string root)
    {
        var full = Path.GetFullPath(root);
        return full.Length > 1 ? full.TrimEnd('/') : full;
    }

    private static string Join(string root, List<string> components)
    {
        if (components.Count == 0)
        {
            return root;
        }
        var prefix = root == "/" ? "" : root;
        return prefix + "/" + string.Join('/', components);
    }
}
