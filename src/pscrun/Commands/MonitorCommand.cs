using System.Globalization;
using PSContainers.Runtime.Container;
using PSContainers.Runtime.Monitor;

namespace PSContainers.Pscrun.Commands;

/// <summary>`monitor`: the per-container process the engine starts (as podman starts conmon).</summary>
internal static class MonitorCommand
{
    public static int Monitor(ArgReader reader, string? log, string? logFormat, bool debug)
    {
        // Flags are collected first, so a bad value can still be reported on the engine's ready fd.
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        reader.ReadFlags((name, value) =>
        {
            switch (name)
            {
                case "--runtime-root" or "--bundle" or "-b" or "--id" or "--state-dir" or "--overlay" or "--restart" or "--ready-fd":
                    flags[name == "-b" ? "--bundle" : name] = value();
                    return true;
                case "--remove-on-exit":
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
                    + "[--overlay LOWER[:LOWER...],UPPER,WORK,MERGED] [--restart POLICY] [--remove-on-exit] [--ready-fd N]");
            }

            var options = new MonitorOptions
            {
                RuntimeRoot = Path.GetFullPath(runtimeRoot), Bundle = Path.GetFullPath(bundle), Id = id, StateDir = Path.GetFullPath(stateDir),
                Overlay = flags.TryGetValue("--overlay", out var overlay) ? OverlayMount.Parse(overlay) : null,
                Restart = flags.TryGetValue("--restart", out var restart) ? RestartPolicy.Parse(restart) : RestartPolicy.No,
                RemoveOnExit = flags.ContainsKey("--remove-on-exit"), ReadyFd = readyFd,
            };
            Directory.CreateDirectory(options.StateDir);
            // Fds 1 and 2 carry the container's output while it is created: the runtime's own messages go to a file instead.
            var logger = new PscrunLogger(log ?? Path.Combine(options.StateDir, "monitor.log"), logFormat, debug);
            var runtime = new LinuxContainerRuntime(options.RuntimeRoot, logger);
            return new ContainerMonitor(options, runtime, logger).Run();
        }
        catch (Exception e) when (readyFd >= 0 && e is UsageException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            ContainerMonitor.ReportNotReady(readyFd, e.Message);
            throw;
        }
    }
}
