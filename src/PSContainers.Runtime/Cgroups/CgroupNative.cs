using System.Runtime.InteropServices;

namespace PSContainers.Runtime.Cgroups;

// Own imports so this folder does not depend on what PSContainers.Native exposes yet,
// and so every failure keeps its exact errno.
internal static unsafe partial class CgroupNative
{
    public const long Cgroup2SuperMagic = 0x63677270;
    public const long TmpfsMagic = 0x01021994;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int EBUSY = 16;
    public const int EINVAL = 22;

    private const int O_WRONLY = 0x1;
    private const int O_TRUNC = 0x200;
    private const int O_CLOEXEC = 0x80000;

    [LibraryImport("libc", EntryPoint = "statfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatFs(string path, byte* buffer);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "rmdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RmDir(string path);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillProcess(int pid, int signal);

    /// <summary>Returns the filesystem magic (f_type) of the mount holding path, or null when statfs fails.</summary>
    public static long? FileSystemType(string path)
    {
        // struct statfs is 120 bytes on 64-bit Linux and f_type is its first long.
        byte* buffer = stackalloc byte[256];
        return StatFs(path, buffer) == 0 ? *(long*)buffer : null;
    }

    /// <summary>One open+write: cgroupfs applies a value per write(2), so it must not be split.</summary>
    public static int WriteFile(string path, byte[] data)
    {
        int fd;
        do
        {
            fd = Open(path, O_WRONLY | O_TRUNC | O_CLOEXEC, 0);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == EINTR);
        if (fd < 0)
        {
            return Marshal.GetLastPInvokeError();
        }

        int error = 0;
        fixed (byte* p = data)
        {
            nint written;
            do
            {
                written = Write(fd, p, data.Length);
            }
            while (written < 0 && Marshal.GetLastPInvokeError() == EINTR);
            if (written < 0)
            {
                error = Marshal.GetLastPInvokeError();
            }
            else if (written != data.Length)
            {
                error = EINVAL;
            }
        }

        Close(fd);
        return error;
    }

    public static int RemoveDirectory(string path) => RmDir(path) == 0 ? 0 : Marshal.GetLastPInvokeError();

    public static int Kill(int pid, int signal) => KillProcess(pid, signal) == 0 ? 0 : Marshal.GetLastPInvokeError();

    public static string Describe(int errno) => $"errno {errno}: {Marshal.GetPInvokeErrorMessage(errno)}";
}
