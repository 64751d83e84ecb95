using System.Runtime.InteropServices;

namespace Pscmon;

/// <summary>The libc calls pscmon makes, bound at link time (only blittable arguments: there is no marshalling).</summary>
internal static unsafe class Sys
{
    public const int EINTR = 4, EIO = 5, EAGAIN = 11, EPIPE = 32;
    public const int O_WRONLY = 1, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    public const int F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, FD_CLOEXEC = 1;
    public const short POLLIN = 1, POLLOUT = 4, POLLERR = 8, POLLHUP = 0x10;
    public const int SIGHUP = 1, SIGINT = 2, SIGPIPE = 13, SIGTERM = 15, SIGCHLD = 17;
    public const int SIG_BLOCK = 0, SFD_NONBLOCK = 0x800, SFD_CLOEXEC = 0x80000, WNOHANG = 1;
    public const int SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000, MSG_DONTWAIT = 0x40, MSG_NOSIGNAL = 0x4000;
    public const int PROT_READ = 1, PROT_WRITE = 2, MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20, MADV_DONTNEED = 4;
    public const ulong TIOCSWINSZ = 0x5414;
    public const long SYS_execveat = 322;
    public const int AT_EMPTY_PATH = 0x1000, CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, SIG_SETMASK = 2, SIGKILL = 9;

    [DllImport("libc")]
    public static extern nint read(int fd, void* buffer, nint count);

    [DllImport("libc")]
    public static extern nint write(int fd, void* buffer, nint count);

    [DllImport("libc")]
    public static extern int close(int fd);

    [DllImport("libc")]
    public static extern int poll(void* fds, ulong count, int timeout);

    [DllImport("libc")]
    public static extern int waitpid(int pid, int* status, int options);

    [DllImport("libc")]
    public static extern int kill(int pid, int signal);

    [DllImport("libc")]
    public static extern int signalfd(int fd, void* mask, int flags);

    [DllImport("libc")]
    public static extern int pthread_sigmask(int how, void* set, void* old);

    [DllImport("libc")]
    public static extern int accept4(int fd, void* address, void* length, int flags);

    [DllImport("libc")]
    public static extern nint send(int fd, void* buffer, nint count, int flags);

    [DllImport("libc")]
    public static extern int fcntl(int fd, int command, int argument);

    [DllImport("libc")]
    public static extern int ioctl(int fd, ulong request, void* argument);

    [DllImport("libc")]
    public static extern void* mmap(void* address, nuint length, int protection, int flags, int fd, long offset);

    [DllImport("libc")]
    public static extern int madvise(void* address, nuint length, int advice);

    [DllImport("libc")]
    public static extern int clock_gettime(int clock, long* timespec);

    [DllImport("libc")]
    public static extern long syscall(long number, long a1, long a2, long a3, long a4, long a5);

    [DllImport("libc")]
    public static extern int fork();

    [DllImport("libc")]
    public static extern int setsid();

    [DllImport("libc")]
    public static extern void _exit(int status);

    [DllImport("libc")]
    public static extern void* calloc(nuint count, nuint size);

    [DllImport("libc")]
    public static extern void* realloc(void* pointer, nuint size);

    [DllImport("libc")]
    public static extern void free(void* pointer);

    [DllImport("libc")]
    public static extern void* memmove(void* destination, void* source, nuint count);

    [DllImport("libc")]
    public static extern void* memset(void* destination, int value, nuint count);

    [DllImport("libc")]
    public static extern void abort();

    [DllImport("libc")]
    private static extern int* __errno_location();

    public static int Errno => *__errno_location();
}
