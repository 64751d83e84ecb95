namespace PSContainers.Native;

/// <summary>Filesystem queries: mount flags of a path and file types without following links.</summary>
public static unsafe partial class LibcFs
{
    // statvfs f_flag values (ST_*) match the MS_* bits, except ST_RELATIME.
    private const int StatvfsSize = 112;
    private const int FlagOffset = 72;

    [LibraryImport("libc", EntryPoint = "statvfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatVfs(string path, byte* buf);

    [LibraryImport("libc", EntryPoint = "statfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatFs(string path, byte* buf);

    /// <summary>The filesystem's magic number (struct statfs f_type, its first field) of the filesystem holding path.</summary>
    public static long FilesystemType(string path)
    {
        var buf = stackalloc byte[128];
        Libc.Check(StatFs(path, buf), "statfs", path);
        return *(long*)buf;
    }

    [LibraryImport("libc", EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mkfifo(string path, uint mode);

    /// <summary>The MS_* flags a mount currently has that a bind remount must keep (locked ones in user namespaces).</summary>
    public static ulong MountFlagsOf(string path)
    {
        var buf = stackalloc byte[StatvfsSize + 16];
        Libc.Check(StatVfs(path, buf), "statvfs", path);
        var f = *(ulong*)(buf + FlagOffset);
        const ulong same = Consts.MS_RDONLY | Consts.MS_NOSUID | Consts.MS_NODEV | Consts.MS_NOEXEC |
            Consts.MS_NOATIME | Consts.MS_NODIRATIME;
        const ulong stRelatime = 4096;
        return (f & same) | ((f & stRelatime) != 0 ? Consts.MS_RELATIME : 0);
    }
}
