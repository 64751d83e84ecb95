namespace PSContainers.Runtime.Monitor;

/// <summary>Replaces a monitor's process image with a fresh pscrun that continues from a handoff.</summary>
/// <remarks>
/// /proc/self/exe names the running binary even after the file was replaced or deleted, so the monitor continues
/// with the code it started with. The pid, the children, the child-subreaper flag, the session and the signal mask
/// all survive execve; the descriptors listed in the handoff are inherited, every other one is close-on-exec.
/// </remarks>
internal static unsafe class MonitorImage
{
    /// <summary>Returns only when execve failed; the handoff descriptors are close-on-exec again then.</summary>
    public static void Replace(MonitorOptions options, MonitorHandoff handoff)
    {
        var args = options.ToArgs(handoff);
        args.Insert(0, Environment.GetCommandLineArgs() is [var argv0, ..] ? argv0 : "pscrun");
        using var arena = new Processes.Plan.NativeArena();
        var argv = arena.StrArray(args);
        var path = arena.Str("/proc/self/exe");
        foreach (var fd in handoff.Fds())
        {
            Libc.Fcntl(fd, Consts.F_SETFD, 0);
        }

        Libc.Execv(path, argv);
        foreach (var fd in handoff.Fds())
        {
            Libc.Fcntl(fd, Consts.F_SETFD, Consts.FD_CLOEXEC);
        }
    }
}
