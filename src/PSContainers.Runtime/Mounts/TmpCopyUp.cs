using PSContainers.Runtime.Paths;

namespace PSContainers.Runtime.Mounts;

/// <summary>The `tmpcopyup` mount option: a new tmpfs starts with a copy of the directory it covers.</summary>
/// <remarks>
/// The copy is made by the runtime while the container's init waits after its mounts (the same stop the prestart
/// hooks use): the source is read in the host's view of the rootfs, where the tmpfs does not exist, and the copy is
/// written through /proc/INIT/root, the init's own view, where it does. Nothing in the child then needs a heap.
/// Symlinks are copied as links and never followed; device nodes, sockets and FIFOs are left out, as crun does.
/// </remarks>
public static class TmpCopyUp
{
    // A tmpfs copy-up serves /tmp-like directories; a deep tree there is a mistake or an attack, not a use.
    private const int MaxDepth = 64;

    public static bool Wanted(Spec.Mount m) =>
        m.Options?.Contains("tmpcopyup", StringComparer.Ordinal) == true && (m.Type ?? "") == "tmpfs";

    /// <summary>Copies ROOTFS/destination (host view) into the init's tmpfs at the same place.</summary>
    public static void Copy(string rootfs, string destination, int initPid)
    {
        var source = SecurePath.Resolve(rootfs, destination);
        if (!LibcAt.Lstat(source, out var top) || (top.Mode & Consts.S_IFMT) != Consts.S_IFDIR)
        {
            // Nothing under the tmpfs to carry up: a new mount point is empty on every runtime.
            return;
        }

        var target = $"/proc/{initPid}/root{source}";
        CopyOwnerAndMode(target, top);
        CopyTree(source, target, 0);
    }

    private static void CopyTree(string source, string target, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new IOException($"tmpcopyup: {source} is more than {MaxDepth} directories deep");
        }

        foreach (var entry in Directory.EnumerateFileSystemEntries(source))
        {
            var name = Path.GetFileName(entry);
            var to = Path.Combine(target, name);
            if (!LibcAt.Lstat(entry, out var st) || LibcAt.Lstat(to, out _))
            {
                // Gone since the listing, or already there (a mount the plan made below the tmpfs): leave it.
                continue;
            }

            switch (st.Mode & Consts.S_IFMT)
            {
                case Consts.S_IFDIR:
                    Directory.CreateDirectory(to);
                    CopyTree(entry, to, depth + 1);
                    CopyOwnerAndMode(to, st);
                    break;
                case Consts.S_IFREG:
                    File.Copy(entry, to);
                    CopyOwnerAndMode(to, st);
                    break;
                case Consts.S_IFLNK:
                    File.CreateSymbolicLink(to, new FileInfo(entry).LinkTarget!);
                    Libc.Check(Chown(to, st, noFollow: true), "lchown", to);
                    break;
            }
        }
    }

    private static void CopyOwnerAndMode(string path, StatInfo st)
    {
        Libc.Check(Chown(path, st, noFollow: false), "chown", path);
        File.SetUnixFileMode(path, (UnixFileMode)(st.Mode & 0xFFF));
    }

    private static unsafe int Chown(string path, StatInfo st, bool noFollow)
    {
        var bytes = Libc.Utf8(path);
        fixed (byte* p = bytes)
        {
            return LibcAt.FchownAt(Consts.AT_FDCWD, p, st.Uid, st.Gid, noFollow ? Consts.AT_SYMLINK_NOFOLLOW : 0);
        }
    }
}
