using System.Globalization;
using Microsoft.Extensions.Logging;
using PSContainers.Runtime.Container;
using PSContainers.Runtime.Monitor;

namespace PSContainers.Pscrun.Commands;

/// <summary>`monitor`: the per-container process the engine starts (as podman starts conmon).</summary>
internal static class MonitorCommand
{
    public static int Monitor(ArgReader reader, string? log, string? logFormat, bool debug)
    {
        // Before anything can start a thread: the monitor's signals must wait for its signalfd in every thread.
        MonitorSignals.BlockInEveryThread();

        // Flags are collected first, so a bad value can still be reported on the engine's ready fd.
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        reader.ReadFlags((name, value) =>
        {
            switch (name)
            {
                case "--runtime-root" or "--bundle" or "-b" or "--id" or "--state-dir" or "--overlay" or "--restart" or "--ready-fd"
                    or "--attach-fd" or "--handoff" or "--handoff-update" or "--events":
                    flags[name == "-b" ? "--bundle" : name] = value();
                    return true;
                case "--remove-on-exit" or "--tty" or "--stdin":
                    flags[name] = "";
                    return true;
                default:
                    return false;
            }
        });

        var readyFd = -1;
        try
        {
            if (flags.TryGetValue("--ready-fd", out var fd))
            {
                readyFd = int.Parse(fd, NumberStyles.None, CultureInfo.InvariantCulture);
            }

            if (!reader.AtEnd)
            {
                throw new UsageException("monitor takes no positional arguments (use --id)");
            }

            if (!flags.TryGetValue("--runtime-root", out var runtimeRoot) || !flags.TryGetValue("--bundle", out var bundle)
                || !flags.TryGetValue("--id", out var id) || !flags.TryGetValue("--state-dir", out var stateDir))
            {
                throw new UsageException("usage: pscrun monitor --runtime-root DIR --bundle BUNDLE --id ID --state-dir SDIR "
                    + "[--overlay LOWER[:LOWER...],UPPER,WORK,MERGED] [--restart POLICY] [--remove-on-exit] [--tty] [--stdin] [--ready-fd N] [--attach-fd N]");
            }

            var globalArgs = new List<string>();
            if (log is not null)
            {
                globalArgs.AddRange(["--log", log]);
            }

            if (logFormat is not null)
            {
                globalArgs.AddRange(["--log-format", logFormat]);
            }

            if (debug)
            {
                globalArgs.Add("--debug");
            }

            var options = new MonitorOptions
            {
                RuntimeRoot = Path.GetFullPath(runtimeRoot), Bundle = Path.GetFullPath(bundle), Id = id, StateDir = Path.GetFullPath(stateDir),
                Overlay = flags.TryGetValue("--overlay", out var overlay) ? OverlayMount.Parse(overlay) with { Volatile = flags.ContainsKey("--remove-on-exit") } : null,
                Restart = flags.TryGetValue("--restart", out var restart) ? RestartPolicy.Parse(restart) : RestartPolicy.No,
                RemoveOnExit = flags.ContainsKey("--remove-on-exit"), Tty = flags.ContainsKey("--tty"), OpenStdin = flags.ContainsKey("--stdin"),
                ReadyFd = readyFd,
                AttachFd = flags.TryGetValue("--attach-fd", out var attach) ? int.Parse(attach, NumberStyles.None, CultureInfo.InvariantCulture) : -1,
                GlobalArgs = globalArgs,
                EventsPath = flags.TryGetValue("--events", out var events) ? Path.GetFullPath(events) : null,
                Handoff = flags.TryGetValue("--handoff", out var handoff) ? MonitorHandoff.Parse(handoff) : null,
            };

            // pscmon, back from waiting for the container, says how it ended and which descriptors are still open.
            if (flags.TryGetValue("--handoff-update", out var update))
            {
                (options.Handoff ?? throw new UsageException("--handoff-update needs --handoff")).Apply(update);
            }


            // Fds 1 and 2 carry the container's output while it is created: the runtime's own messages go to a file instead.
            // Both are made only when needed, so the waiting image never builds them while the container runs.
            var logger = new Lazy<ILogger>(() => new PscrunLogger(log ?? options.MonitorLogPath, logFormat, debug));
            var runtime = new Lazy<LinuxContainerRuntime>(() => new LinuxContainerRuntime(options.RuntimeRoot, logger.Value));
            return options.Handoff is { Phase: "wait" or "exited" } h
                ? new MonitorLoop(options, h, runtime, logger).Run()
                : new ContainerMonitor(options, runtime, logger).Run();
        }
        catch (Exception e) when (readyFd >= 0 && e is UsageException or ArgumentException or IOException or UnauthorizedAccessException or FormatException)
        {
            ContainerMonitor.ReportNotReady(readyFd, e.Message);
            throw;
        }
    }
}
