using PSContainers.Native;

namespace PSContainers.Core.Volumes;

/// <summary>Fills an empty volume with what the image has at the mount path, keeping owners, modes, times and links (docker's copy-up).</summary>
public static unsafe class VolumeCopier
{
    /// <summary>True when a directory has no entries (docker copies the image's content only into an empty volume).</summary>
    public static bool IsEmpty(string dir) => !Directory.EnumerateFileSystemEntries(dir).Any();

    /// <summary>Copies the tree under source into destination (an existing, empty directory) and gives destination source's owner and mode.</summary>
    /// <remarks>Both are host paths the engine resolved: source inside a read-only image view, destination a volume's data directory.</remarks>
    public static void CopyTree(string source, string destination, CancellationToken cancellationToken = default)
    {
        if (!LibcAt.Lstat(source, out var rootStat) || rootStat.Type != Consts.S_IFDIR)
        {
            return;
        }

        foreach (var entry in new DirectoryInfo(source).EnumerateFileSystemInfos())
        {
            cancellationToken.ThrowIfCancellationRequested();
            CopyEntry(entry.FullName, Path.Combine(destination, entry.Name), cancellationToken);
        }

        CopyMetadata(destination, rootStat);
    }

    private static void CopyEntry(string source, string destination, CancellationToken cancellationToken)
    {
        if (!LibcAt.Lstat(source, out var st))
        {
            return;
        }

        switch (st.Type)
        {
            case Consts.S_IFDIR:
                Directory.CreateDirectory(destination);
                foreach (var entry in new DirectoryInfo(source).EnumerateFileSystemInfos())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    CopyEntry(entry.FullName, Path.Combine(destination, entry.Name), cancellationToken);
                }

                break;
            case Consts.S_IFREG:
                File.Copy(source, destination, overwrite: false);
                break;
            case 0xA000: // S_IFLNK
                File.CreateSymbolicLink(destination, new FileInfo(source).LinkTarget ?? "");
                Chown(destination, st.Uid, st.Gid);
                return;
            case Consts.S_IFCHR when st.Rdev == 0:
                // An overlay whiteout in a single layer: the image has nothing there.
                return;
            default:
                Libc.Check(Libc.Mknod(destination, st.Mode, st.Rdev), "mknod", destination);
                break;
        }

        CopyMetadata(destination, st);
    }

    private static void CopyMetadata(string path, StatInfo st)
    {
        Chown(path, st.Uid, st.Gid);
        // After the chown, which clears set-id bits.
        Libc.Check(Libc.Chmod(path, st.Mode & 0xFFF), "chmod", path);
        var times = stackalloc TimeSpec[2];
        times[0] = new TimeSpec { Seconds = st.MtimeSec, Nanoseconds = st.MtimeNsec };
        times[1] = times[0];
        var bytes = Libc.Utf8(path);
        fixed (byte* p = bytes)
        {
            LibcAt.UtimensAt(Consts.AT_FDCWD, p, times, Consts.AT_SYMLINK_NOFOLLOW);
        }
    }

    private static void Chown(string path, uint uid, uint gid)
    {
        var bytes = Libc.Utf8(path);
        fixed (byte* p = bytes)
        {
            Libc.Check(LibcAt.FchownAt(Consts.AT_FDCWD, p, uid, gid, Consts.AT_SYMLINK_NOFOLLOW), "lchown", path);
        }
    }
}
