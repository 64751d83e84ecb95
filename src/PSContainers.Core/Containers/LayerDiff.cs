using PSContainers.Native;

namespace PSContainers.Core.Containers;

/// <summary>Reads an overlay upper directory as docker diff does: added, changed and deleted paths against the lower layer.</summary>
public static class LayerDiff
{
    public static IReadOnlyList<ContainerChange> Compute(string upper, string lower) => Compute(upper, [lower]);

    /// <summary>Against a stack of lower layers (top first): a path counts as there when any lower layer has it.</summary>
    public static IReadOnlyList<ContainerChange> Compute(string upper, IReadOnlyList<string> lowers)
    {
        var lower = lowers.Count == 1 ? lowers[0] : null;
        if (lower is null)
        {
            var merged = new List<ContainerChange>();
            WalkMany(upper, lowers, "/", merged);
            return merged.OrderBy(c => c.Path, StringComparer.Ordinal).ToList();
        }

        var changes = new List<ContainerChange>();
        Walk(upper, lower, "/", changes);
        return changes.OrderBy(c => c.Path, StringComparer.Ordinal).ToList();
    }

    private static void Walk(string upperDir, string lower, string relative, List<ContainerChange> changes)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(upperDir))
        {
            var name = Path.GetFileName(entry);
            var path = relative.TrimEnd('/') + "/" + name;
            var stat = Libc.Lstat(entry);
            if (stat is null)
            {
                continue;
            }

            var (mode, rdev) = stat.Value;
            if ((mode & Libc.S_IFMT) == Libc.S_IFCHR && rdev == 0)
            {
                changes.Add(new ContainerChange(path, ContainerChangeKind.Deleted));
                continue;
            }

            var inLower = Libc.Lstat(Path.Join(lower, path)) is not null;
            changes.Add(new ContainerChange(path, inLower ? ContainerChangeKind.Changed : ContainerChangeKind.Added));
            if ((mode & Libc.S_IFMT) == Libc.S_IFDIR)
            {
                if (inLower && Libc.LGetXattr(entry, "trusted.overlay.opaque") == "y")
                {
                    // An opaque directory hides everything the lower layer had in it.
                    foreach (var hidden in Directory.EnumerateFileSystemEntries(Path.Join(lower, path)))
                    {
                        var hiddenPath = path + "/" + Path.GetFileName(hidden);
                        if (Libc.Lstat(Path.Join(entry, Path.GetFileName(hidden))) is null)
                        {
                            changes.Add(new ContainerChange(hiddenPath, ContainerChangeKind.Deleted));
                        }
                    }
                }

                Walk(entry, lower, path, changes);
            }
        }
    }

    private static void WalkMany(string upperDir, IReadOnlyList<string> lowers, string relative, List<ContainerChange> changes)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(upperDir))
        {
            var name = Path.GetFileName(entry);
            var path = relative.TrimEnd('/') + "/" + name;
            if (Libc.Lstat(entry) is not { } stat)
            {
                continue;
            }

            var (mode, rdev) = stat;
            if ((mode & Libc.S_IFMT) == Libc.S_IFCHR && rdev == 0)
            {
                changes.Add(new ContainerChange(path, ContainerChangeKind.Deleted));
                continue;
            }

            var inLower = lowers.Any(l => Libc.Lstat(Path.Join(l, path)) is { } s && !((s.Mode & Libc.S_IFMT) == Libc.S_IFCHR && s.Rdev == 0));
            changes.Add(new ContainerChange(path, inLower ? ContainerChangeKind.Changed : ContainerChangeKind.Added));
            if ((mode & Libc.S_IFMT) == Libc.S_IFDIR)
            {
                WalkMany(entry, lowers, path, changes);
            }
        }
    }
}
