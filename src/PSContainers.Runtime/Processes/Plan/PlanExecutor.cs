using System.Runtime.CompilerServices;

namespace PSContainers.Runtime.Processes.Plan;

/// <summary>Runs a setup plan: nothing but raw system calls on memory the plan builder prepared.</summary>
/// <remarks>
/// It runs in a child cloned from the multi-threaded runtime, where allocating or taking a lock could
/// deadlock, so it never touches the managed heap: no strings, no exceptions, only pointers and ints.
/// A failed step returns its index and errno; the builder, which kept a description per step, explains it.
/// </remarks>
internal static unsafe class PlanExecutor
{
    // x86-64 system call numbers.
    private const long SysRead = 0, SysWrite = 1, SysClose = 3, SysPoll = 7, SysIoctl = 16, SysPipe2 = 293, SysDup3 = 292,
        SysSocket = 41, SysSendmsg = 46, SysClone = 56, SysExecve = 59, SysExit = 60, SysWait4 = 61, SysKill = 62, SysMkdir = 83,
        SysStatfs = 137, SysMount = 165, SysOpenat = 257, SysMkdirat = 258, SysMknodat = 259, SysFchownat = 260,
        SysNewfstatat = 262, SysSymlinkat = 266, SysFaccessat = 269, SysPidfdOpen = 434, SysOpenat2 = 437;

    /// <summary>Errno reported for a hook that exited non-zero: ExitFailureBase + its exit status.</summary>
    public const int HookExitBase = 100000;
    public const int TimedOut = 110;

    /// <summary>Errno value in PlanOp.Tolerate that accepts any failure (best-effort steps).</summary>
    public const int AnyErrno = -1;

    public static int Run(PlanOp* ops, int count, out int errno)
    {
        // Flagged steps depend on the last unflagged one, their anchor: a fallback runs when it was tolerated,
        // a follow-up when it succeeded.
        var anchorTolerated = false;
        var anchorSucceeded = true;
        for (var i = 0; i < count; i++)
        {
            var op = ops + i;
            var anchor = (op->Flags & (PlanOpFlags.IfPreviousTolerated | PlanOpFlags.IfPreviousSucceeded)) == 0;
            if ((op->Flags & PlanOpFlags.IfPreviousTolerated) != 0 && !anchorTolerated)
            {
                continue;
            }

            if ((op->Flags & PlanOpFlags.IfPreviousSucceeded) != 0 && !anchorSucceeded)
            {
                continue;
            }

            var e = Step(op);
            var tolerated = e != 0 && (op->Tolerate == AnyErrno || e == op->Tolerate || (op->Tolerate2 != 0 && e == op->Tolerate2));
            if (e != 0 && !tolerated)
            {
                errno = e;
                return i;
            }

            if (anchor)
            {
                anchorTolerated = tolerated;
                anchorSucceeded = e == 0;
            }
        }

        errno = 0;
        return -1;
    }

    /// <summary>Writes "pscrun: DESCRIPTION: errno N" to stderr, for failures after the runtime stopped listening.</summary>
    public static void ReportToStderr(byte* description, int errno)
    {
        var prefix = "pscrun: "u8;
        fixed (byte* p = prefix)
        {
            WriteAll(2, p, prefix.Length);
        }

        var length = 0;
        while (description[length] != 0)
        {
            length++;
        }

        WriteAll(2, description, length);
        var digits = stackalloc byte[32];
        var n = 31;
        digits[n--] = (byte)'\n';
        var value = errno < 0 ? -errno : errno;
        do
        {
            digits[n--] = (byte)('0' + value % 10);
            value /= 10;
        }
        while (value > 0 && n > 10);

        var tail = ": errno "u8;
        for (var k = tail.Length - 1; k >= 0; k--)
        {
            digits[n--] = tail[k];
        }

        WriteAll(2, digits + n + 1, 31 - n);
    }

    private static long Sys(long nr, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0) =>
        Libc.SyscallRaw(nr, a, b, c, d, e);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Err() => Libc.ErrnoRaw;

    private static int Check(long rc) => rc < 0 ? Err() : 0;

    // Sets IFF_UP on lo through an ioctl on any socket of the namespace; the kernel gives an up loopback
    // 127.0.0.1/8 and ::1 by itself. struct ifreq is the 16-byte name followed by a union (flags first).
    private static int LoopbackUp()
    {
        const int IfreqSize = 40, IfUp = 0x1;
        var fd = Sys(SysSocket, Consts.AF_INET, Consts.SOCK_DGRAM | Consts.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            return Err();
        }

        var ifr = stackalloc byte[IfreqSize];
        for (var i = 0; i < IfreqSize; i++)
        {
            ifr[i] = 0;
        }

        ifr[0] = (byte)'l';
        ifr[1] = (byte)'o';
        var result = 0;
        if (Sys(SysIoctl, fd, SiocGifflags, (long)ifr) < 0)
        {
            result = Err();
        }
        else
        {
            *(short*)(ifr + 16) |= IfUp;
            if (Sys(SysIoctl, fd, SiocSifflags, (long)ifr) < 0)
            {
                result = Err();
            }
        }

        Sys(SysClose, fd);
        return result;
    }

    private const long SiocGifflags = 0x8913, SiocSifflags = 0x8914;

    private static int Step(PlanOp* op)
    {
        switch (op->Code)
        {
            case PlanOpCode.Syscall:
                return Check(Sys(op->A, op->B, op->C, op->D, op->E, op->F));
            case PlanOpCode.Mount:
                return Check(Sys(SysMount, op->A, op->B, op->C, op->D, op->E));
            case PlanOpCode.Remount:
                return Remount((byte*)op->A, op->B);
            case PlanOpCode.OpenInRoot:
            {
                var how = stackalloc long[3];
                how[0] = op->C;
                how[1] = 0;
                how[2] = op->D;
                var fd = Sys(SysOpenat2, op->A, op->B, (long)how, 24);
                return fd < 0 ? Err() : MoveFd((int)fd, (int)op->E);
            }

            case PlanOpCode.Open:
            {
                var fd = Sys(SysOpenat, Consts.AT_FDCWD, op->A, op->B, op->C);
                return fd < 0 ? Err() : MoveFd((int)fd, (int)op->D);
            }

            case PlanOpCode.MkdirAt:
                return Check(Sys(SysMkdirat, op->A, op->B, op->C));
            case PlanOpCode.Mkdir:
                return Check(Sys(SysMkdir, op->A, op->B));
            case PlanOpCode.TouchAt:
            {
                var fd = Sys(SysOpenat, op->A, op->B, Consts.O_CREAT | Consts.O_WRONLY | Consts.O_CLOEXEC | Consts.O_NOFOLLOW, op->C);
                if (fd < 0)
                {
                    return Err();
                }

                Sys(SysClose, fd);
                return 0;
            }

            case PlanOpCode.MknodAt:
                return Check(Sys(SysMknodat, op->A, op->B, op->C, op->D));
            case PlanOpCode.SymlinkAt:
                return Check(Sys(SysSymlinkat, op->A, op->B, op->C));
            case PlanOpCode.FchownAt:
                return Check(Sys(SysFchownat, op->A, op->B, op->C, op->D, op->E));
            case PlanOpCode.WriteFile:
                return WriteFile((byte*)op->A, (byte*)op->B, op->C);
            case PlanOpCode.MaskPath:
                return MaskPath((byte*)op->A);
            case PlanOpCode.ReadonlyPath:
            {
                var rc = Sys(SysMount, op->A, op->A, 0, (long)(Consts.MS_BIND | Consts.MS_REC), 0);
                if (rc < 0)
                {
                    var e = Err();
                    return e == Errno.ENOENT ? 0 : e;
                }

                return Remount((byte*)op->A, (long)(Consts.MS_BIND | Consts.MS_REC | Consts.MS_RDONLY | Consts.MS_NOSUID | Consts.MS_NODEV | Consts.MS_NOEXEC));
            }

            case PlanOpCode.Console:
                return Console(op);
            case PlanOpCode.Send:
                return WriteAll((int)op->A, (byte*)op->B, op->C);
            case PlanOpCode.Receive:
                return ReadAll((int)op->A, (byte*)op->B, op->C);
            case PlanOpCode.ReceiveFrame:
            {
                var header = stackalloc byte[5];
                var e = ReadAll((int)op->A, header, 5);
                if (e != 0)
                {
                    return e;
                }

                var length = *(int*)(header + 1);
                if (length < 0 || length > op->C)
                {
                    return Errno.ERANGE;
                }

                *(int*)op->D = length;
                return ReadAll((int)op->A, (byte*)op->B, length);
            }

            case PlanOpCode.RunHook:
                return RunHook(op);
            case PlanOpCode.WaitFifo:
            {
                // C: a directory the path is relative to (a /proc opened before a chroot without /proc), or 0 for none.
                var fd = Sys(SysOpenat, op->C != 0 ? op->C : Consts.AT_FDCWD, op->A, Consts.O_WRONLY | Consts.O_CLOEXEC);
                if (fd < 0)
                {
                    return Err();
                }

                byte zero = (byte)'0';
                var e = WriteAll((int)fd, &zero, 1);
                Sys(SysClose, fd);
                if (op->B >= 0)
                {
                    Sys(SysClose, op->B);
                }

                return e;
            }

            case PlanOpCode.CheckExecutable:
                return CheckExecutable((byte**)op->A);
            case PlanOpCode.LoopbackUp:
                return LoopbackUp();
            case PlanOpCode.Exec:
            {
                var candidates = (byte**)op->A;
                var result = Errno.ENOENT;
                for (var c = candidates; *c != null; c++)
                {
                    Sys(SysExecve, (long)*c, op->B, op->C);
                    var e = Err();
                    // Keep looking along PATH past missing entries, but remember a real refusal.
                    if (e != Errno.ENOENT && e != Errno.ENOTDIR)
                    {
                        result = e;
                    }
                }

                return result;
            }

            default:
                return Errno.EINVAL;
        }
    }

    private static int MoveFd(int fd, int target)
    {
        if (target <= 0 || fd == target)
        {
            return 0;
        }

        var rc = Sys(SysDup3, fd, target, Consts.O_CLOEXEC);
        var e = rc < 0 ? Err() : 0;
        Sys(SysClose, fd);
        return e;
    }

    private static int Remount(byte* target, long flags)
    {
        var rc = Sys(SysMount, 0, (long)target, 0, (long)Consts.MS_REMOUNT | flags, 0);
        if (rc >= 0)
        {
            return 0;
        }

        var e = Err();
        if (e != Errno.EPERM)
        {
            return e;
        }

        // A mount the kernel locked (in a user namespace) keeps its nosuid/nodev/noexec/ro/atime flags: repeat them.
        var buf = stackalloc byte[128];
        if (Sys(SysStatfs, (long)target, (long)buf) < 0)
        {
            return e;
        }

        var f = *(long*)(buf + 80);
        long locked = f & (long)(Consts.MS_RDONLY | Consts.MS_NOSUID | Consts.MS_NODEV | Consts.MS_NOEXEC | Consts.MS_NOATIME | Consts.MS_NODIRATIME);
        if ((f & 4096) != 0)
        {
            locked |= (long)Consts.MS_RELATIME;
        }

        return Check(Sys(SysMount, 0, (long)target, 0, (long)Consts.MS_REMOUNT | flags | locked, 0));
    }

    private static int WriteFile(byte* path, byte* data, long length)
    {
        var fd = Sys(SysOpenat, Consts.AT_FDCWD, (long)path, Consts.O_WRONLY | Consts.O_CLOEXEC | Consts.O_TRUNC);
        if (fd < 0)
        {
            return Err();
        }

        var e = WriteAll((int)fd, data, length);
        Sys(SysClose, fd);
        return e;
    }

    private static int MaskPath(byte* path)
    {
        var st = stackalloc byte[256];
        if (Sys(SysNewfstatat, Consts.AT_FDCWD, (long)path, (long)st, 0) < 0)
        {
            var e = Err();
            return e == Errno.ENOENT ? 0 : e;
        }

        var mode = *(uint*)(st + 24);
        if ((mode & 0xF000) == Consts.S_IFDIR)
        {
            return Check(Sys(SysMount, (long)TmpfsName, (long)path, (long)TmpfsName, (long)Consts.MS_RDONLY, 0));
        }

        return Check(Sys(SysMount, (long)DevNullName, (long)path, 0, (long)Consts.MS_BIND, 0));
    }

    private static readonly byte* TmpfsName = Literal("tmpfs"u8);
    private static readonly byte* DevNullName = Literal("/dev/null"u8);
    private static readonly byte* PtmxName = Literal("/dev/ptmx"u8);
    private static readonly byte* ConsoleName = Literal("/dev/console"u8);

    // Static, allocated once when the type is first used by the parent: the child only reads them.
    private static byte* Literal(ReadOnlySpan<byte> text)
    {
        var p = (byte*)NativeMemory.AllocZeroed((nuint)text.Length + 1);
        text.CopyTo(new Span<byte>(p, text.Length));
        return p;
    }

    /// <summary>Touches the static literals, so their initialisation happens before any fork.</summary>
    public static void Prepare()
    {
        _ = TmpfsName;
        _ = DevNullName;
        _ = PtmxName;
        _ = ConsoleName;
    }

    // A: console socket fd; B: rows << 16 | cols (0 for none); C: "/proc/self/fd/N" path to bind on /dev/console (0 for none);
    // D: N, the fd number that path names; E: a prepared msghdr with room for one SCM_RIGHTS descriptor at F.
    private static int Console(PlanOp* op)
    {
        var master = Sys(SysOpenat, Consts.AT_FDCWD, (long)PtmxName, Consts.O_RDWR | Consts.O_NOCTTY | Consts.O_CLOEXEC);
        if (master < 0)
        {
            return Err();
        }

        int unlock = 0;
        if (Sys(SysIoctl, master, (long)Consts.TIOCSPTLCK, (long)&unlock) < 0)
        {
            return Err();
        }

        const long TIOCGPTPEER = 0x5441;
        var slave = Sys(SysIoctl, master, TIOCGPTPEER, Consts.O_RDWR | Consts.O_NOCTTY);
        if (slave < 0)
        {
            return Err();
        }

        if (op->B != 0)
        {
            var ws = new WinSize { Rows = (ushort)(op->B >> 16), Cols = (ushort)(op->B & 0xFFFF) };
            if (Sys(SysIoctl, slave, (long)Consts.TIOCSWINSZ, (long)&ws) < 0)
            {
                return Err();
            }
        }

        if (op->C != 0)
        {
            var touch = Sys(SysOpenat, Consts.AT_FDCWD, (long)ConsoleName, Consts.O_CREAT | Consts.O_WRONLY | Consts.O_CLOEXEC | Consts.O_NOFOLLOW, 0x1B6);
            if (touch >= 0)
            {
                Sys(SysClose, touch);
            }

            if (Sys(SysDup3, slave, op->D, Consts.O_CLOEXEC) < 0 ||
                Sys(SysMount, op->C, (long)ConsoleName, 0, (long)Consts.MS_BIND, 0) < 0)
            {
                return Err();
            }

            Sys(SysClose, op->D);
        }

        *(int*)op->F = (int)master;
        if (Sys(SysSendmsg, op->A, op->E, 0) < 0)
        {
            return Err();
        }

        Sys(SysClose, master);
        Sys(SysClose, op->A);
        for (var fd = 0; fd < 3; fd++)
        {
            if (Sys(SysDup3, slave, fd, 0) < 0)
            {
                return Err();
            }
        }

        if (Sys(SysIoctl, 0, (long)Consts.TIOCSCTTY, 0) < 0)
        {
            return Err();
        }

        Sys(SysClose, slave);
        return 0;
    }

    // A: path; B: argv; C: envp; D: stdin bytes; E: int* their length; F: timeout in ms (0: none).
    private static int RunHook(PlanOp* op)
    {
        var fds = stackalloc int[2];
        if (Sys(SysPipe2, (long)fds, Consts.O_CLOEXEC) < 0)
        {
            return Err();
        }

        var pid = Sys(SysClone, Consts.SIGCHLD, 0, 0, 0, 0);
        if (pid < 0)
        {
            return Err();
        }

        if (pid == 0)
        {
            Sys(SysDup3, fds[0], 0, 0);
            Sys(SysExecve, op->A, op->B, op->C);
            Sys(SysExit, 127);
        }

        Sys(SysClose, fds[0]);
        WriteAll(fds[1], (byte*)op->D, *(int*)op->E);
        Sys(SysClose, fds[1]);

        if (op->F > 0)
        {
            var pidfd = Sys(SysPidfdOpen, pid, 0);
            if (pidfd >= 0)
            {
                var pfd = new PollFd { Fd = (int)pidfd, Events = Consts.POLLIN };
                var ready = Sys(SysPoll, (long)&pfd, 1, op->F);
                Sys(SysClose, pidfd);
                if (ready == 0)
                {
                    Sys(SysKill, pid, Consts.SIGKILL);
                    int ignored;
                    Sys(SysWait4, pid, (long)&ignored, 0, 0);
                    return TimedOut;
                }
            }
        }

        int status;
        while (Sys(SysWait4, pid, (long)&status, 0, 0) < 0)
        {
            if (Err() != Errno.EINTR)
            {
                return Err();
            }
        }

        var code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
        return code == 0 ? 0 : HookExitBase + code;
    }

    private static int CheckExecutable(byte** candidates)
    {
        var result = Errno.ENOENT;
        var st = stackalloc byte[256];
        for (var c = candidates; *c != null; c++)
        {
            if (Sys(SysNewfstatat, Consts.AT_FDCWD, (long)*c, (long)st, 0) < 0)
            {
                continue;
            }

            var mode = *(uint*)(st + 24);
            if ((mode & 0xF000) != Consts.S_IFREG)
            {
                // execve would refuse it (EACCES); a directory gets the plainer word.
                result = (mode & 0xF000) == 0x4000 ? Errno.EISDIR : Errno.EACCES;
                continue;
            }

            const int X_OK = 1;
            if (Sys(SysFaccessat, Consts.AT_FDCWD, (long)*c, X_OK) == 0)
            {
                return 0;
            }

            result = Errno.EACCES;
        }

        return result;
    }

    public static int WriteAll(int fd, byte* data, long length)
    {
        long done = 0;
        while (done < length)
        {
            var n = Sys(SysWrite, fd, (long)(data + done), length - done);
            if (n < 0)
            {
                var e = Err();
                if (e == Errno.EINTR)
                {
                    continue;
                }

                return e;
            }

            done += n;
        }

        return 0;
    }

    private static int ReadAll(int fd, byte* data, long length)
    {
        long done = 0;
        while (done < length)
        {
            var n = Sys(SysRead, fd, (long)(data + done), length - done);
            if (n < 0)
            {
                var e = Err();
                if (e == Errno.EINTR)
                {
                    continue;
                }

                return e;
            }

            if (n == 0)
            {
                return Errno.EPIPE;
            }

            done += n;
        }

        return 0;
    }
}
