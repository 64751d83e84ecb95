namespace PSContainers.Native;

/// <summary>Terminal modes: raw mode for a relay between the user's terminal and a container's pty.</summary>
public static unsafe partial class Libc
{
    public const int TCSANOW = 0, TCSADRAIN = 1;

    [LibraryImport(L, EntryPoint = "tcgetattr", SetLastError = true)]
    public static partial int TcGetAttr(int fd, Termios* termios);

    [LibraryImport(L, EntryPoint = "tcsetattr", SetLastError = true)]
    public static partial int TcSetAttr(int fd, int optionalActions, Termios* termios);

    [LibraryImport(L, EntryPoint = "cfmakeraw")]
    public static partial void CfMakeRaw(Termios* termios);

    [LibraryImport(L, EntryPoint = "isatty")]
    public static partial int IsATty(int fd);
}
