namespace PSContainers.Native;

/// <summary>lstat and lgetxattr for reading overlay layers: whiteouts are 0:0 character devices, opaque dirs carry an xattr.</summary>
public static unsafe partial class Libc
{
    public const uint S_IFMT = 0xF000, S_IFCHR = 0x2000, S_IFDIR = 0x4000;

    [LibraryImport(L, EntryPoint = "lstat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LstatRaw(string path, byte* buffer);

    [LibraryImport(L, EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint LGetXattrRaw(string path, string name, byte* value, nint size);

    /// <summary>st_mode and st_rdev of a path without following a final symlink (x86_64 struct stat layout), or null.</summary>
    public static (uint Mode, ulong Rdev)? Lstat(string path)
    {
        var buffer = stackalloc byte[256];
        if (LstatRaw(path, buffer) != 0)
        {
            return null;
        }

        return (*(uint*)(buffer + 24), *(ulong*)(buffer + 40));
    }

    /// <summary>The value of an extended attribute as text, or null when the path does not have it.</summary>
    public static string? LGetXattr(string path, string name)
    {
        var buffer = stackalloc byte[256];
        var n = LGetXattrRaw(path, name, buffer, 256);
        return n < 0 ? null : System.Text.Encoding.UTF8.GetString(buffer, (int)n);
    }
}
