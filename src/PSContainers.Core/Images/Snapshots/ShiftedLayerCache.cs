using System.Security.Cryptography;
using System.Text;
using PSContainers.Native;
using PSContainers.Runtime.Spec;

namespace PSContainers.Core.Images.Snapshots;

/// <summary>
/// Chowned copies of layers for mapped containers where idmapped mounts are not available: one copy per layer and
/// mapping (CACHE/HASH, HASH over the layer's directory and the maps), made once, verified by rename, reused.
/// </summary>
/// <remarks>
/// Each id is moved through the container's maps (image uid 1000 becomes host uid HOST+1000); ids the maps do not
/// cover are kept, and show as nobody inside. Copies share nothing with the layer, so a container's writes to them
/// are impossible anyway (they are overlay lowers) and a prune of the layer does not break a running container.
/// </remarks>
public static unsafe class ShiftedLayerCache
{
    /// <summary>The copy of layer under the maps in cacheDir, made now unless it exists.</summary>
    public static string Ensure(string cacheDir, string layer, IReadOnlyList<LinuxIdMapping> uids, IReadOnlyList<LinuxIdMapping> gids, CancellationToken cancellationToken = default)
    {
        var target = PathOf(cacheDir, layer, uids, gids);
        if (Directory.Exists(target))
        {
            return target;
        }

        Directory.CreateDirectory(cacheDir);
        var temp = Path.Combine(cacheDir, ".tmp-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            Directory.CreateDirectory(temp);
            var links = new Dictionary<(ulong, ulong), string>();
            CopyTree(layer, temp, uids, gids, links, cancellationToken);
            // Another engine may have made the same copy meanwhile: theirs is as good as ours.
            if (LibcAt.RenameAt(Consts.AT_FDCWD, temp, Consts.AT_FDCWD, target) != 0 && !Directory.Exists(target))
            {
                throw new SyscallException("rename", target, Libc.LastErrno);
            }
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }

        return target;
    }

    /// <summary>Where the copy of layer under the maps lives (short names, so deep images fit one overlay option string).</summary>
    public static string PathOf(string cacheDir, string layer, IReadOnlyList<LinuxIdMapping> uids, IReadOnlyList<LinuxIdMapping> gids)
    {
        var key = $"{Path.GetFullPath(layer)}\n{Runtime.Mounts.IdMappedMounts.Format(uids, gids)}";
        return Path.Combine(cacheDir, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32]);
    }

    /// <summary>The host id a container id maps to, or the id itself where no range covers it.</summary>
    public static uint Shift(uint id, IReadOnlyList<LinuxIdMapping> maps)
    {
        foreach (var m in maps)
        {
            if (id >= m.ContainerId && (ulong)id < (ulong)m.ContainerId + m.Size)
            {
                return m.HostId + (id - m.ContainerId);
            }
        }

        return id;
    }

    /// <summary>The container id a host id stands for, or the id itself where no range covers it: the inverse of Shift.</summary>
    public static uint Unshift(uint id, IReadOnlyList<LinuxIdMapping> maps)
    {
        foreach (var m in maps)
        {
            if (id >= m.HostId && (ulong)id < (ulong)m.HostId + m.Size)
            {
                return m.ContainerId + (id - m.HostId);
            }
        }

        return id;
    }

    private static void CopyTree(string source, string destination, IReadOnlyList<LinuxIdMapping> uids, IReadOnlyList<LinuxIdMapping> gids,
        Dictionary<(ulong, ulong), string> links, CancellationToken cancellationToken)
    {
        foreach (var entry in new DirectoryInfo(source).EnumerateFileSystemInfos())
        {
            cancellationToken.ThrowIfCancellationRequested();
            CopyEntry(entry.FullName, Path.Combine(destination, entry.Name), uids, gids, links, cancellationToken);
        }

        if (LibcAt.Lstat(source, out var st))
        {
            CopyMetadata(source, destination, st, uids, gids);
        }
    }

    private static void CopyEntry(string source, string destination, IReadOnlyList<LinuxIdMapping> uids, IReadOnlyList<LinuxIdMapping> gids,
        Dictionary<(ulong, ulong), string> links, CancellationToken cancellationToken)
    {
        if (!LibcAt.Lstat(source, out var st))
        {
            return;
        }

        if (st.Type != Consts.S_IFDIR && st.Nlink > 1)
        {
            // Hard links stay links: the first copy is linked again, as the layer had it.
            if (links.TryGetValue((st.Dev, st.Ino), out var first))
            {
                var a = Libc.Utf8(first);
                var b = Libc.Utf8(destination);
                fixed (byte* pa = a)
                fixed (byte* pb = b)
                {
                    Libc.Check(LibcAt.LinkAt(Consts.AT_FDCWD, pa, Consts.AT_FDCWD, pb, 0), "link", destination);
                }

                return;
            }

            links[(st.Dev, st.Ino)] = destination;
        }

        switch (st.Type)
        {
            case Consts.S_IFDIR:
                Directory.CreateDirectory(destination);
                CopyTree(source, destination, uids, gids, links, cancellationToken);
                return;
            case Consts.S_IFREG:
                File.Copy(source, destination, overwrite: false);
                break;
            case 0xA000: // S_IFLNK
                File.CreateSymbolicLink(destination, new FileInfo(source).LinkTarget ?? "");
                break;
            default:
                // Devices, fifos, sockets, and the layer's whiteouts (0/0 character devices), which must stay.
                Libc.Check(Libc.Mknod(destination, st.Mode, st.Rdev), "mknod", destination);
                break;
        }

        CopyMetadata(source, destination, st, uids, gids);
    }

    private static void CopyMetadata(string source, string destination, StatInfo st, IReadOnlyList<LinuxIdMapping> uids, IReadOnlyList<LinuxIdMapping> gids)
    {
        var path = Libc.Utf8(destination);
        fixed (byte* p = path)
        {
            Libc.Check(LibcAt.FchownAt(Consts.AT_FDCWD, p, Shift(st.Uid, uids), Shift(st.Gid, gids), Consts.AT_SYMLINK_NOFOLLOW), "lchown", destination);
            // xattrs after the chown, which drops security.capability; the opaque marker of overlay directories too.
            foreach (var name in LibcAt.ListXattrs(source))
            {
                if (LibcAt.GetXattr(source, name) is not { } value)
                {
                    continue;
                }

                var n = Libc.Utf8(name);
                fixed (byte* pn = n)
                fixed (byte* pv = value)
                {
                    Libc.Check(LibcAt.LSetXattr(p, pn, pv, value.Length, 0), "lsetxattr " + name, destination);
                }
            }

            if (st.Type != 0xA000)
            {
                // After the chown, which clears set-id bits.
                Libc.Check(Libc.Chmod(destination, st.Mode & 0xFFF), "chmod", destination);
            }

            var times = stackalloc TimeSpec[2];
            times[0] = new TimeSpec { Seconds = st.MtimeSec, Nanoseconds = st.MtimeNsec };
            times[1] = times[0];
            LibcAt.UtimensAt(Consts.AT_FDCWD, p, times, Consts.AT_SYMLINK_NOFOLLOW);
        }
    }
}
