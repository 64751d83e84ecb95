namespace PSContainers.Runtime.Monitor;

/// <summary>Replaces a monitor's process image with a fresh pscrun that continues from a handoff.</summary>
/// <remarks>
/// /proc/self/exe names the running binary even after the file was replaced or deleted, so the monitor continues
/// with the code it started with. The pid, the children, the child-subreaper flag, the session and the signal mask
/// all survive execve; the descriptors listed in the handoff are inherited, every other one is close-on-exec.
/// </remarks>
internal static unsafe class MonitorImage
{
    /// <summary>Set to "pscrun" to make a monitor wait in pscrun itself rather than in pscmon (tests of that path).</summary>
    public const string WaitImageVariable = "PSCRUN_MONITOR_WAIT";

    /// <summary>Replaces this image with pscmon, the bare waiting image that ships next to pscrun; returns only when that failed.</summary>
    /// <remarks>
    /// pscmon gets the handoff's descriptors as a list of numbers, pscrun's binary as an open descriptor (it
    /// executes it again, the same file even if the path was replaced meanwhile, once the init has exited) and
    /// this command line to run then, with the handoff as it is now.
    /// </remarks>
    public static void ReplaceWithWaiter(MonitorOptions options, MonitorHandoff handoff)
    {
        var self = File.ResolveLinkTarget("/proc/self/exe", returnFinalTarget: false)?.FullName;
        var directory = Path.GetDirectoryName(self);
        var waiter = directory is null ? null : Path.Combine(directory, "pscmon");
        if (Environment.GetEnvironmentVariable(WaitImageVariable) == "pscrun" || waiter is null || !File.Exists(waiter))
        {
            return;
        }

        handoff.ExeFd = Libc.Open("/proc/self/exe", Consts.O_RDONLY | Consts.O_CLOEXEC, 0);
        handoff.LogFd = Libc.Open(options.LogPath, Consts.O_WRONLY | Consts.O_APPEND | Consts.O_CREAT | Consts.O_CLOEXEC, 0x1A0);
        if (handoff.ExeFd >= 0 && handoff.LogFd >= 0)
        {
            var c = System.Globalization.CultureInfo.InvariantCulture;
            var numbers = new List<int>
            {
                handoff.InitPid, handoff.OutRead, handoff.OutWrite, handoff.ErrRead, handoff.ErrWrite, handoff.StdinWrite,
                handoff.PtyMaster, handoff.Listen, handoff.StdinOwner, handoff.ExeFd, handoff.LogFd, options.Tty ? 1 : 0,
                handoff.StdinClosed ? 1 : 0, handoff.StopSignal,
            };
            numbers.AddRange(handoff.Clients);
            var args = new List<string> { waiter, "monitor", "--id", options.Id, "--wait", string.Join(',', numbers.Select(n => n.ToString(c))) };
            if (Health.HealthConfig.TryLoad(options.Bundle) is { } health)
            {
                // pscmon keeps the schedule (its poll timeout); each check is pscrun's health-check verb.
                var check = options.HealthCheckArgs();
                args.AddRange([
                    // pscmon reads at most eight digits of milliseconds (27 hours): longer intervals are cut to that.
                    "--health", string.Join(',', new[] { health.Interval, health.StartPeriod, health.StartInterval }
                        .Select(t => Math.Min((long)Math.Ceiling(t.TotalMilliseconds), 99_999_999L).ToString(c))),
                    "--health-argv", (check.Count + 1).ToString(c), Argv0()]);
                args.AddRange(check);
            }

            args.AddRange(["--", Argv0()]);
            args.AddRange(options.ToArgs(handoff));
            Exec(waiter, args, handoff);
        }

        foreach (var fd in new[] { handoff.ExeFd, handoff.LogFd })
        {
            if (fd >= 0)
            {
                Libc.Close(fd);
            }
        }

        handoff.ExeFd = handoff.LogFd = -1;
    }

    /// <summary>Returns only when execve failed; the handoff descriptors are close-on-exec again then.</summary>
    public static void Replace(MonitorOptions options, MonitorHandoff handoff)
    {
        var args = options.ToArgs(handoff);
        args.Insert(0, Argv0());
        Exec("/proc/self/exe", args, handoff);
    }

    private static string Argv0() => Environment.GetCommandLineArgs() is [var argv0, ..] ? argv0 : "pscrun";

    private static void Exec(string path, List<string> args, MonitorHandoff handoff)
    {
        using var arena = new Processes.Plan.NativeArena();
        var argv = arena.StrArray(args);
        var file = arena.Str(path);
        foreach (var fd in handoff.Fds())
        {
            Libc.Fcntl(fd, Consts.F_SETFD, 0);
        }

        Libc.Execv(file, argv);
        foreach (var fd in handoff.Fds())
        {
            Libc.Fcntl(fd, Consts.F_SETFD, Consts.FD_CLOEXEC);
        }
    }
}
