namespace PSContainers.Native;

/// <summary>Advisory file locks (flock), which the engine's state store uses across pwsh processes.</summary>
public static partial class Libc
{
    public const int LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8;

    [LibraryImport(L, EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(int fd, int operation);
}
