using PSContainers.Native;

namespace PSContainers.Core.Security;

/// <summary>Whether the kernel and the filesystem under a directory take idmapped mounts as overlayfs lowers.</summary>
/// <remarks>
/// Asked without trying: a try needs a user namespace to map through, which takes a fork, and the engine runs in a
/// JIT process that must not fork. The monitor still reports a refusal by name if this guess is wrong.
/// </remarks>
public static class IdMapSupport
{
    // Filesystems whose mounts may carry an idmap (FS_ALLOW_IDMAP), with the kernel that brought it.
    private static readonly Dictionary<long, (string Name, Version Since)> Filesystems = new()
    {
        [0xEF53] = ("ext4", new Version(5, 12)),
        [0x58465342] = ("xfs", new Version(5, 12)),
        [0x9123683E] = ("btrfs", new Version(5, 15)),
        [0xF2F52010] = ("f2fs", new Version(5, 18)),
        [0xE0F5E1E2] = ("erofs", new Version(5, 17)),
        [0x01021994] = ("tmpfs", new Version(6, 3)),
    };

    /// <summary>overlayfs takes idmapped lower layers from Linux 5.19.</summary>
    public static readonly Version OverlayLowers = new(5, 19);

    public static bool Supported(string path) => Explain(path) is null;

    /// <summary>Null when idmapped lowers work under path; otherwise why not (for logs and docs).</summary>
    public static string? Explain(string path)
    {
        var kernel = Environment.OSVersion.Version;
        if (kernel < OverlayLowers)
        {
            return $"kernel {kernel} is older than {OverlayLowers} (overlayfs on idmapped layers)";
        }

        var type = LibcFs.FilesystemType(path);
        if (!Filesystems.TryGetValue(type, out var fs))
        {
            return $"the filesystem under {path} (magic 0x{type:X}) does not take idmapped mounts";
        }

        return kernel < fs.Since ? $"{fs.Name} takes idmapped mounts from Linux {fs.Since}, this kernel is {kernel}" : null;
    }
}
