namespace PSContainers.Native;

/// <summary>Signal masks and signalfd, for processes that take signals in their event loop instead of handlers.</summary>
public static unsafe partial class Libc
{
    public const int SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
    public const int SFD_NONBLOCK = 0x800, SFD_CLOEXEC = 0x80000;

    /// <summary>pthread_sigmask: changes the calling thread's mask (threads it creates later inherit it).</summary>
    [LibraryImport(L, EntryPoint = "pthread_sigmask")]
    public static partial int PthreadSigmask(int how, SigSet* set, SigSet* old);

    [LibraryImport(L, EntryPoint = "signalfd", SetLastError = true)]
    public static partial int SignalFd(int fd, SigSet* mask, int flags);

    [LibraryImport(L, EntryPoint = "sigpending", SetLastError = true)]
    public static partial int SigPending(SigSet* set);
}
