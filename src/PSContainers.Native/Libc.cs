namespace PSContainers.Native;

/// <summary>The libc functions and raw system calls the runtime uses, declared here (no Tmds.LibC: see docs/pscrun.md).</summary>
/// <remarks>
/// Entries ending in "Raw" do not record errno through the marshaller: they are the ones a
/// freshly cloned child may call before execve, where nothing may allocate or take a lock.
/// </remarks>
public static unsafe partial class Libc
{
    private const string L = "libc";

    [LibraryImport(L, EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mount(string? source, string target, string? fstype, ulong flags, string? data);

    [LibraryImport(L, EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Umount2(string target, int flags);

    [LibraryImport(L, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, uint mode);

    [LibraryImport(L, EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int OpenAt(int dirfd, string path, int flags, uint mode);

    [LibraryImport(L, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(L, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buf, nint count);

    [LibraryImport(L, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buf, nint count);

    [LibraryImport(L, EntryPoint = "read")]
    public static partial nint ReadRaw(int fd, byte* buf, nint count);

    [LibraryImport(L, EntryPoint = "write")]
    public static partial nint WriteRaw(int fd, byte* buf, nint count);

    [LibraryImport(L, EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mkdir(string path, uint mode);

    [LibraryImport(L, EntryPoint = "mknod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mknod(string path, uint mode, ulong dev);

    [LibraryImport(L, EntryPoint = "symlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Symlink(string target, string linkPath);

    [LibraryImport(L, EntryPoint = "chdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chdir(string path);

    [LibraryImport(L, EntryPoint = "fchdir", SetLastError = true)]
    public static partial int Fchdir(int fd);

    [LibraryImport(L, EntryPoint = "chroot", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chroot(string path);

    [LibraryImport(L, EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chown(string path, uint uid, uint gid);

    [LibraryImport(L, EntryPoint = "fchown", SetLastError = true)]
    public static partial int Fchown(int fd, uint uid, uint gid);

    [LibraryImport(L, EntryPoint = "chmod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chmod(string path, uint mode);

    [LibraryImport(L, EntryPoint = "sethostname", SetLastError = true)]
    public static partial int SetHostname(byte* name, nint len);

    [LibraryImport(L, EntryPoint = "setdomainname", SetLastError = true)]
    public static partial int SetDomainname(byte* name, nint len);

    [LibraryImport(L, EntryPoint = "unshare", SetLastError = true)]
    public static partial int Unshare(int flags);

    [LibraryImport(L, EntryPoint = "setns", SetLastError = true)]
    public static partial int Setns(int fd, int nstype);

    [LibraryImport(L, EntryPoint = "setns")]
    public static partial int SetnsRaw(int fd, int nstype);

    [LibraryImport(L, EntryPoint = "pipe2", SetLastError = true)]
    public static partial int Pipe2(int* fds, int flags);

    [LibraryImport(L, EntryPoint = "socketpair", SetLastError = true)]
    public static partial int SocketPair(int domain, int type, int protocol, int* fds);

    [LibraryImport(L, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(L, EntryPoint = "connect", SetLastError = true)]
    public static partial int Connect(int fd, byte* addr, int len);

    [LibraryImport(L, EntryPoint = "sendmsg", SetLastError = true)]
    public static partial nint SendMsg(int fd, MsgHdr* msg, int flags);

    [LibraryImport(L, EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint RecvMsg(int fd, MsgHdr* msg, int flags);

    [LibraryImport(L, EntryPoint = "dup2", SetLastError = true)]
    public static partial int Dup2(int oldfd, int newfd);

    [LibraryImport(L, EntryPoint = "dup3", SetLastError = true)]
    public static partial int Dup3(int oldfd, int newfd, int flags);

    [LibraryImport(L, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int cmd, int arg);

    [LibraryImport(L, EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int sig);

    [LibraryImport(L, EntryPoint = "waitpid", SetLastError = true)]
    public static partial int WaitPid(int pid, int* status, int options);

    [LibraryImport(L, EntryPoint = "waitid", SetLastError = true)]
    public static partial int Waitid(int idtype, int id, void* infop, int options);

    /// <summary>True when the child pid has exited and waits to be reaped; it is left unreaped (WNOWAIT).</summary>
    public static bool ChildHasExited(int pid)
    {
        // siginfo_t is 128 bytes; si_pid (offset 16) stays 0 when WNOHANG finds no change.
        var info = stackalloc byte[128];
        new Span<byte>(info, 128).Clear();
        return Waitid(P_PID, pid, info, WEXITED | Consts.WNOHANG | WNOWAIT) == 0 && *(int*)(info + 16) == pid;
    }

    private const int P_PID = 1;
    private const int WEXITED = 4;
    private const int WNOWAIT = 0x01000000;

    [LibraryImport(L, EntryPoint = "setsid", SetLastError = true)]
    public static partial int Setsid();

    [LibraryImport(L, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, ulong request, void* arg);

    [LibraryImport(L, EntryPoint = "prctl", SetLastError = true)]
    public static partial int Prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

    [LibraryImport(L, EntryPoint = "getrlimit", SetLastError = true)]
    public static partial int GetRlimit(int resource, RLimit* rlim);

    [LibraryImport(L, EntryPoint = "setrlimit", SetLastError = true)]
    public static partial int SetRlimit(int resource, RLimit* rlim);

    [LibraryImport(L, EntryPoint = "umask")]
    public static partial uint Umask(uint mask);

    [LibraryImport(L, EntryPoint = "getpid")]
    public static partial int GetPid();

    [LibraryImport(L, EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    [LibraryImport(L, EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MemfdCreate(string name, uint flags);

    [LibraryImport(L, EntryPoint = "sendfile", SetLastError = true)]
    public static partial nint SendFile(int outFd, int inFd, long* offset, nint count);

    [LibraryImport(L, EntryPoint = "execve", SetLastError = true)]
    public static partial int Execve(byte* path, byte** argv, byte** envp);

    [LibraryImport(L, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, ulong nfds, int timeout);

    [LibraryImport(L, EntryPoint = "_exit")]
    public static partial void ExitRaw(int status);

    [LibraryImport(L, EntryPoint = "sched_setaffinity", SetLastError = true)]
    public static partial int SchedSetaffinity(int pid, nint cpusetsize, byte* mask);

    [LibraryImport(L, EntryPoint = "syscall", SetLastError = true)]
    public static partial long Syscall(long number, long a1, long a2, long a3, long a4, long a5);

    [LibraryImport(L, EntryPoint = "syscall")]
    public static partial long SyscallRaw(long number, long a1, long a2, long a3, long a4, long a5);

    /// <summary>Writes all of bytes, retrying after EINTR/EAGAIN and short writes; stops quietly when the fd is gone.</summary>
    public static void WriteAll(int fd, ReadOnlySpan<byte> bytes)
    {
        fixed (byte* p = bytes)
        {
            for (var done = 0; done < bytes.Length;)
            {
                var n = Write(fd, p + done, bytes.Length - done);
                if (n < 0 && LastErrno is Errno.EINTR or Errno.EAGAIN)
                {
                    continue;
                }

                if (n <= 0)
                {
                    return;
                }

                done += (int)n;
            }
        }
    }

    /// <summary>errno of the last call made through an entry with SetLastError.</summary>
    public static int LastErrno => Marshal.GetLastPInvokeError();

    /// <summary>errno of the calling thread read straight from libc, for the "Raw" entries.</summary>
    public static int ErrnoRaw => *ErrnoLocation();

    [LibraryImport(L, EntryPoint = "__errno_location")]
    private static partial int* ErrnoLocation();

    public static void Check(int result, string call, string? path = null)
    {
        if (result < 0)
        {
            throw new SyscallException(call, path, LastErrno);
        }
    }

    public static long Check(long result, string call, string? path = null)
    {
        if (result < 0)
        {
            throw new SyscallException(call, path, LastErrno);
        }

        return result;
    }

    public static int PivotRoot(string newRoot, string putOld)
    {
        var a = Utf8(newRoot);
        var b = Utf8(putOld);
        fixed (byte* pa = a)
        fixed (byte* pb = b)
        {
            return (int)Syscall(SysNo.PivotRoot, (long)pa, (long)pb, 0, 0, 0);
        }
    }

    public static int OpenAt2(int dirfd, string path, ulong flags, ulong mode, ulong resolve)
    {
        var p = Utf8(path);
        var how = new OpenHow { Flags = flags, Mode = mode, Resolve = resolve };
        fixed (byte* pp = p)
        {
            return (int)Syscall(SysNo.OpenAt2, dirfd, (long)pp, (long)&how, sizeof(OpenHow), 0);
        }
    }

    public static int CloseRange(uint first, uint last, uint flags) =>
        (int)Syscall(SysNo.CloseRange, first, last, flags, 0, 0);

    public static int SetResUid(uint r, uint e, uint s) => (int)Syscall(SysNo.SetResUid, r, e, s, 0, 0);

    public static int SetResGid(uint r, uint e, uint s) => (int)Syscall(SysNo.SetResGid, r, e, s, 0, 0);

    public static int SetGroups(uint[] groups)
    {
        fixed (uint* g = groups)
        {
            return (int)Syscall(SysNo.SetGroups, groups.Length, (long)g, 0, 0, 0);
        }
    }

    public static int CapGet(CapUserHeader* header, CapUserData* data) =>
        (int)Syscall(SysNo.CapGet, (long)header, (long)data, 0, 0, 0);

    public static int CapSet(CapUserHeader* header, CapUserData* data) =>
        (int)Syscall(SysNo.CapSet, (long)header, (long)data, 0, 0, 0);

    public static int PidfdOpen(int pid) => (int)Syscall(SysNo.PidfdOpen, pid, 0, 0, 0, 0);

    public static int PidfdSendSignal(int pidfd, int sig) => (int)Syscall(SysNo.PidfdSendSignal, pidfd, sig, 0, 0, 0);

    /// <summary>Null-terminated UTF-8 bytes of a string, for calls that take char*.</summary>
    public static byte[] Utf8(string s)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(s) + 1];
        System.Text.Encoding.UTF8.GetBytes(s, 0, s.Length, bytes, 0);
        return bytes;
    }
}
