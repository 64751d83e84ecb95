namespace PSContainers.Native;

/// <summary>Anonymous mappings whose pages can be handed back to the kernel while the process idles.</summary>
public static unsafe partial class Libc
{
    public const int PROT_READ = 1, PROT_WRITE = 2, MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20, MADV_RANDOM = 1, MADV_DONTNEED = 4;

    [LibraryImport(L, EntryPoint = "mmap", SetLastError = true)]
    public static partial void* Mmap(void* addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport(L, EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(void* addr, nuint length);

    [LibraryImport(L, EntryPoint = "madvise", SetLastError = true)]
    public static partial int Madvise(void* addr, nuint length, int advice);

    [LibraryImport(L, EntryPoint = "pread", SetLastError = true)]
    public static partial nint PRead(int fd, byte* buf, nint count, long offset);

    /// <summary>execv: replaces the process image; the environment is the current one.</summary>
    [LibraryImport(L, EntryPoint = "execv", SetLastError = true)]
    public static partial int Execv(byte* path, byte** argv);
}
