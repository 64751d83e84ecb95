using System.Runtime.InteropServices;

namespace PSContainers.Runtime.Spec;

// getrlimit(2), kept here because the engine's defaults must follow the host's actual limits.
internal static partial class RlimitNative
{
    // Same numbers on x86_64 and arm64 (asm-generic/resource.h).
    public const int RLIMIT_NPROC = 6;
    public const int RLIMIT_NOFILE = 7;

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRlimit(int resource, out RlimitValue value);

    public static RlimitValue Get(int resource)
    {
        if (GetRlimit(resource, out var value) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new InvalidOperationException($"getrlimit({resource}) failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");
        }
        return value;
    }
}
