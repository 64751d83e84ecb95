namespace PSContainers.Native;

/// <summary>Directory-fd-relative file calls for writing untrusted trees (layer extraction) without following links out of them.</summary>
public static unsafe partial class LibcAt
{
    private const string L = "libc";

    public const int AT_REMOVEDIR = 0x200, AT_SYMLINK_FOLLOW = 0x400;
    public const int XATTR_CREATE = 1, XATTR_REPLACE = 2;
    public const int FALLOC_FL_KEEP_SIZE = 1;

    // struct timespec tv_nsec values that mean "now" and "leave alone".
    public const long UTIME_NOW = (1L << 30) - 1, UTIME_OMIT = (1L << 30) - 2;

    [LibraryImport(L, EntryPoint = "openat", SetLastError = true)]
    public static partial int OpenAt(int dirfd, byte* path, int flags, uint mode);

    [LibraryImport(L, EntryPoint = "mkdirat", SetLastError = true)]
    public static partial int MkdirAt(int dirfd, byte* path, uint mode);

    [LibraryImport(L, EntryPoint = "mknodat", SetLastError = true)]
    public static partial int MknodAt(int dirfd, byte* path, uint mode, ulong dev);

    [LibraryImport(L, EntryPoint = "symlinkat", SetLastError = true)]
    public static partial int SymlinkAt(byte* target, int dirfd, byte* linkPath);

    [LibraryImport(L, EntryPoint = "linkat", SetLastError = true)]
    public static partial int LinkAt(int olddirfd, byte* oldPath, int newdirfd, byte* newPath, int flags);

    [LibraryImport(L, EntryPoint = "unlinkat", SetLastError = true)]
    public static partial int UnlinkAt(int dirfd, byte* path, int flags);

    [LibraryImport(L, EntryPoint = "renameat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int RenameAt(int olddirfd, string oldPath, int newdirfd, string newPath);

    [LibraryImport(L, EntryPoint = "fchownat", SetLastError = true)]
    public static partial int FchownAt(int dirfd, byte* path, uint uid, uint gid, int flags);

    [LibraryImport(L, EntryPoint = "fchmodat", SetLastError = true)]
    public static partial int FchmodAt(int dirfd, byte* path, uint mode, int flags);

    [LibraryImport(L, EntryPoint = "fchmod", SetLastError = true)]
    public static partial int Fchmod(int fd, uint mode);

    [LibraryImport(L, EntryPoint = "fchown", SetLastError = true)]
    public static partial int Fchown(int fd, uint uid, uint gid);

    [LibraryImport(L, EntryPoint = "utimensat", SetLastError = true)]
    public static partial int UtimensAt(int dirfd, byte* path, TimeSpec* times, int flags);

    [LibraryImport(L, EntryPoint = "futimens", SetLastError = true)]
    public static partial int Futimens(int fd, TimeSpec* times);

    [LibraryImport(L, EntryPoint = "fsetxattr", SetLastError = true)]
    public static partial int FSetXattr(int fd, byte* name, byte* value, nint size, int flags);

    [LibraryImport(L, EntryPoint = "setxattr", SetLastError = true)]
    public static partial int SetXattr(byte* path, byte* name, byte* value, nint size, int flags);

    [LibraryImport(L, EntryPoint = "lsetxattr", SetLastError = true)]
    public static partial int LSetXattr(byte* path, byte* name, byte* value, nint size, int flags);

    [LibraryImport(L, EntryPoint = "flistxattr", SetLastError = true)]
    public static partial nint FListXattr(int fd, byte* list, nint size);

    [LibraryImport(L, EntryPoint = "fgetxattr", SetLastError = true)]
    public static partial nint FGetXattr(int fd, byte* name, byte* value, nint size);

    [LibraryImport(L, EntryPoint = "llistxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint LListXattr(string path, byte* list, nint size);

    [LibraryImport(L, EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint LGetXattr(string path, string name, byte* value, nint size);

    [LibraryImport(L, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buf, nint count);

    [LibraryImport(L, EntryPoint = "pwrite", SetLastError = true)]
    public static partial nint PWrite(int fd, byte* buf, nint count, long offset);

    [LibraryImport(L, EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int Ftruncate(int fd, long length);

    [LibraryImport(L, EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    /// <summary>sync_file_range's flag that starts writeback of the range's dirty pages without waiting for it.</summary>
    public const uint SYNC_FILE_RANGE_WRITE = 2;

    [LibraryImport(L, EntryPoint = "sync_file_range", SetLastError = true)]
    public static partial int SyncFileRange(int fd, long offset, long nbytes, uint flags);

    [LibraryImport(L, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(L, EntryPoint = "fstatat", SetLastError = true)]
    private static partial int FstatAtRaw(int dirfd, byte* path, byte* buffer, int flags);

    /// <summary>The fields of struct stat (x86_64 layout) that extraction and its tests compare.</summary>
    public static bool FstatAt(int dirfd, byte* path, int flags, out StatInfo info)
    {
        var buffer = stackalloc byte[144];
        if (FstatAtRaw(dirfd, path, buffer, flags) != 0)
        {
            info = default;
            return false;
        }

        info = new StatInfo
        {
            Dev = *(ulong*)buffer,
            Ino = *(ulong*)(buffer + 8),
            Nlink = *(ulong*)(buffer + 16),
            Mode = *(uint*)(buffer + 24),
            Uid = *(uint*)(buffer + 28),
            Gid = *(uint*)(buffer + 32),
            Rdev = *(ulong*)(buffer + 40),
            Size = *(long*)(buffer + 48),
            Blocks = *(long*)(buffer + 64),
            MtimeSec = *(long*)(buffer + 88),
            MtimeNsec = *(long*)(buffer + 96),
        };
        return true;
    }

    /// <summary>lstat of a path through fstatat, for callers that hold no directory fd.</summary>
    public static bool Lstat(string path, out StatInfo info)
    {
        var bytes = Libc.Utf8(path);
        fixed (byte* p = bytes)
        {
            return FstatAt(Consts.AT_FDCWD, p, Consts.AT_SYMLINK_NOFOLLOW, out info);
        }
    }

    /// <summary>The names of a path's extended attributes (not following a final symlink).</summary>
    public static List<string> ListXattrs(string path)
    {
        var names = new List<string>();
        var size = LListXattr(path, null, 0);
        if (size <= 0)
        {
            return names;
        }

        var buffer = new byte[size];
        fixed (byte* p = buffer)
        {
            size = LListXattr(path, p, buffer.Length);
        }

        var start = 0;
        for (var i = 0; i < size; i++)
        {
            if (buffer[i] == 0)
            {
                names.Add(System.Text.Encoding.UTF8.GetString(buffer, start, i - start));
                start = i + 1;
            }
        }

        return names;
    }

    /// <summary>The raw value of an extended attribute, or null.</summary>
    public static byte[]? GetXattr(string path, string name)
    {
        var size = LGetXattr(path, name, null, 0);
        if (size < 0)
        {
            return null;
        }

        var buffer = new byte[size];
        fixed (byte* p = buffer)
        {
            size = LGetXattr(path, name, p, buffer.Length);
        }

        return size < 0 ? null : buffer[..(int)size];
    }
}
