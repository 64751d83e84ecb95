using System.Globalization;
using System.Text;

namespace PSContainers.Native;

/// <summary>Listens on and connects to unix socket paths of any length.</summary>
/// <remarks>
/// sockaddr_un holds 107 bytes of path. A longer path is reached through an O_PATH descriptor of its
/// directory: /proc/self/fd/N/NAME resolves to the same socket file, for bind as for connect.
/// </remarks>
public static unsafe class UnixSocket
{
    private const int MaxPath = 107;

    /// <summary>A listening, non-blocking, close-on-exec socket bound to path (an old socket file there is replaced).</summary>
    public static int Listen(string path, int backlog = 16)
    {
        File.Delete(path);
        var fd = Libc.Socket(Consts.AF_UNIX, Consts.SOCK_STREAM | Consts.SOCK_CLOEXEC | Libc.SOCK_NONBLOCK, 0);
        Libc.Check(fd, "socket", path);
        try
        {
            WithAddress(path, (addr, len) => Libc.Bind(fd, addr, len), "bind");
            Libc.Check(Libc.Listen(fd, backlog), "listen", path);
            return fd;
        }
        catch
        {
            Libc.Close(fd);
            throw;
        }
    }

    /// <summary>A connected, blocking, close-on-exec socket.</summary>
    public static int Connect(string path)
    {
        var fd = Libc.Socket(Consts.AF_UNIX, Consts.SOCK_STREAM | Consts.SOCK_CLOEXEC, 0);
        Libc.Check(fd, "socket", path);
        try
        {
            WithAddress(path, (addr, len) => Libc.Connect(fd, addr, len), "connect");
            return fd;
        }
        catch
        {
            Libc.Close(fd);
            throw;
        }
    }

    private delegate int AddressCall(byte* addr, int len);

    private static void WithAddress(string path, AddressCall call, string what)
    {
        var dirFd = -1;
        var target = path;
        if (Encoding.UTF8.GetByteCount(path) > MaxPath)
        {
            var dir = Path.GetDirectoryName(path);
            var name = Path.GetFileName(path);
            if (string.IsNullOrEmpty(dir) || string.IsNullOrEmpty(name))
            {
                throw new ArgumentException($"cannot reach the unix socket {path}");
            }

            dirFd = Libc.Open(dir, Consts.O_PATH | Consts.O_DIRECTORY | Consts.O_CLOEXEC, 0);
            Libc.Check(dirFd, "open", dir);
            target = "/proc/self/fd/" + dirFd.ToString(CultureInfo.InvariantCulture) + "/" + name;
            if (Encoding.UTF8.GetByteCount(target) > MaxPath)
            {
                Libc.Close(dirFd);
                throw new ArgumentException($"the unix socket name {name} is longer than {MaxPath - 20} bytes");
            }
        }

        try
        {
            var addr = stackalloc byte[110];
            new Span<byte>(addr, 110).Clear();
            *(ushort*)addr = Consts.AF_UNIX;
            var length = Encoding.UTF8.GetBytes(target, new Span<byte>(addr + 2, MaxPath));
            if (call(addr, 2 + length + 1) < 0)
            {
                throw new SyscallException(what, path, Libc.LastErrno);
            }
        }
        finally
        {
            if (dirFd >= 0)
            {
                Libc.Close(dirFd);
            }
        }
    }
}
