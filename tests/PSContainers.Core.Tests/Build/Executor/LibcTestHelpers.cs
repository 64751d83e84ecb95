using System.Runtime.InteropServices;

namespace PSContainers.Core.Tests.Build.Executor;

/// <summary>The two calls the layer tests need to make overlay-form trees (the engine itself only reads them).</summary>
internal static partial class LibcTestHelpers
{
    [LibraryImport("libc", EntryPoint = "mknod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Mknod(string path, uint mode, ulong dev);

    [LibraryImport("libc", EntryPoint = "lsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LSetXattr(string path, string name, byte[] value, nint size, int flags);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Link(string existing, string newPath);

    /// <summary>overlay's whiteout: a 0:0 character device.</summary>
    public static int MknodWhiteout(string path) => Mknod(path, 0x2000 | 0x180, 0);

    public static int SetXattr(string path, string name, string value) => SetXattr(path, name, System.Text.Encoding.UTF8.GetBytes(value));

    public static int SetXattr(string path, string name, byte[] value) => LSetXattr(path, name, value, value.Length, 0) == 0 ? 0 : Marshal.GetLastPInvokeError();
}
