namespace PSContainers.Native;

/// <summary>Unix stream sockets: listen, accept, send without SIGPIPE, half-close.</summary>
public static unsafe partial class Libc
{
    public const int MSG_DONTWAIT = 0x40, MSG_NOSIGNAL = 0x4000, SHUT_WR = 1, SOCK_NONBLOCK = 0x800;

    [LibraryImport(L, EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(int fd, byte* addr, int len);

    [LibraryImport(L, EntryPoint = "listen", SetLastError = true)]
    public static partial int Listen(int fd, int backlog);

    [LibraryImport(L, EntryPoint = "accept4", SetLastError = true)]
    public static partial int Accept4(int fd, void* addr, void* len, int flags);

    [LibraryImport(L, EntryPoint = "send", SetLastError = true)]
    public static partial nint Send(int fd, byte* buf, nint len, int flags);

    [LibraryImport(L, EntryPoint = "shutdown", SetLastError = true)]
    public static partial int Shutdown(int fd, int how);
}
