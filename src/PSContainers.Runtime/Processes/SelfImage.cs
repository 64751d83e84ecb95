namespace PSContainers.Runtime.Processes;

/// <summary>A sealed in-memory copy of the running pscrun binary, the image container-side processes start from.</summary>
/// <remarks>
/// Executing a copy means /proc/PID/exe inside the container points at a sealed memfd, never at the
/// host's pscrun file, so a container cannot overwrite the runtime (the CVE-2019-5736 class).
/// </remarks>
internal static unsafe class SelfImage
{
    public static int CreateSealedCopy()
    {
        var source = Libc.Open("/proc/self/exe", Consts.O_RDONLY | Consts.O_CLOEXEC, 0);
        Libc.Check(source, "open", "/proc/self/exe");
        try
        {
            var memfd = Libc.MemfdCreate("pscrun", Consts.MFD_CLOEXEC | Consts.MFD_ALLOW_SEALING);
            Libc.Check(memfd, "memfd_create", "pscrun");
            long offset = 0;
            while (true)
            {
                var n = Libc.SendFile(memfd, source, &offset, 1 << 30);
                if (n < 0)
                {
                    var errno = Libc.LastErrno;
                    Libc.Close(memfd);
                    throw new SyscallException("sendfile", "/proc/self/exe", errno);
                }

                if (n == 0)
                {
                    break;
                }
            }

            const int seals = Consts.F_SEAL_SEAL | Consts.F_SEAL_SHRINK | Consts.F_SEAL_GROW | Consts.F_SEAL_WRITE;
            if (Libc.Fcntl(memfd, Consts.F_ADD_SEALS, seals) < 0)
            {
                var errno = Libc.LastErrno;
                Libc.Close(memfd);
                throw new SyscallException("fcntl(F_ADD_SEALS)", "pscrun memfd", errno);
            }

            return memfd;
        }
        finally
        {
            Libc.Close(source);
        }
    }
}
