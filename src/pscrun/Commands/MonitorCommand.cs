using System.Globalization;
using PSContainers.Runtime.Container;
using PSContainers.Runtime.Monitor;

namespace PSContainers.Pscrun.Commands;

/// <summary>`monitor`: the per-container process the engine starts (as podman starts conmon).</summary>
internal static class MonitorCommand
{
    public static int Monitor(ArgReader reader, string? log, string? logFormat, bool debug)
    {
        string? runtimeRoot = null, bundle = null, id = null, stateDir = null;
        OverlayMount? overlay = null;
        var restart = RestartPolicy.No;
        var removeOnExit = false;
        var readyFd = -1;
        reader.ReadFlags((name, value) =>
        {
            switch (name)
            {
                case "--runtime-root": runtimeRoot = value(); return true;
                case "--bundle" or "-b": bundle = value(); return true;
                case "--id": id = value(); return true;
                case "--state-dir": stateDir = value(); return true;
                case "--overlay": overlay = OverlayMount.Parse(value()); return true;
                case "--restart": restart = RestartPolicy.Parse(value()); return true;
                case "--remove-on-exit": removeOnExit = true; return true;
                case "--ready-fd": readyFd = int.Parse(value(), NumberStyles.None, CultureInfo.InvariantCulture); return true;
                default: return false;
            }
        });
        if (!reader.AtEnd)
        {
            throw new UsageException("monitor takes no positional arguments (use --id)");
        }

        if (runtimeRoot is null || bundle is null || id is null || stateDir is null)
        {
            throw new UsageException("usage: pscrun monitor --runtime-root DIR --bundle BUNDLE --id ID --state-dir SDIR "
                + "[--overlay LOWER[:LOWER...],UPPER,WORK,MERGED] [--restart POLICY] [--remove-on-exit] [--ready-fd N]");
        }

        stateDir = Path.GetFullPath(stateDir);
        Directory.CreateDirectory(stateDir);
        // Fds 1 and 2 carry the container's output while it is created: the runtime's own messages go to a file instead.
        var logger = new PscrunLogger(log ?? Path.Combine(stateDir, "monitor.log"), logFormat, debug);
        var runtime = new LinuxContainerRuntime(runtimeRoot, logger);
        var options = new MonitorOptions
        {
            RuntimeRoot = runtimeRoot, Bundle = Path.GetFullPath(bundle), Id = id, StateDir = stateDir, Overlay = overlay,
            Restart = restart, RemoveOnExit = removeOnExit, ReadyFd = readyFd,
        };
        return new ContainerMonitor(options, runtime, logger).Run();
    }
}
