using Microsoft.Extensions.Logging;
using PSContainers.Native;
using PSContainers.Pscrun.Commands;
using PSContainers.Runtime.Container;
using PSContainers.Runtime.Processes;
using PSContainers.Runtime.Spec;

namespace PSContainers.Pscrun;

/// <summary>Entry point of pscrun: an OCI runtime with runc's command line.</summary>
public static class Program
{
    public const string Version = "0.1.0";

    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "exec-init")
        {
            return ContainerInit.Main();
        }

        string? root = null, log = null, logFormat = null;
        var debug = false;
        var reader = new ArgReader(args);
        PscrunLogger? logger = null;
        try
        {
            reader.ReadFlags((name, value) =>
            {
                switch (name)
                {
                    case "--root": root = value(); return true;
                    case "--log": log = value(); return true;
                    case "--log-format": logFormat = value(); return true;
                    case "--debug": debug = true; return true;
                    case "--systemd-cgroup": return true;
                    case "--rootless": value(); return true;
                    case "--criu": value(); return true;
                    case "--version" or "-v": Console.WriteLine($"pscrun version {Version}\nspec: 1.3.0"); Environment.Exit(0); return true;
                    case "--help" or "-h": Console.WriteLine(Usage); Environment.Exit(0); return true;
                    default: return false;
                }
            });
            logger = new PscrunLogger(log, logFormat, debug);
            if (reader.AtEnd)
            {
                Console.WriteLine(Usage);
                return 0;
            }

            var verb = reader.Next();
            var runtime = new LinuxContainerRuntime(root, logger);
            return verb switch
            {
                "create" => CreateCommand.Create(runtime, reader),
                "run" => CreateCommand.Run(runtime, reader),
                "start" => LifecycleCommands.Start(runtime, reader),
                "state" => InfoCommands.State(runtime, reader),
                "kill" => LifecycleCommands.Kill(runtime, reader),
                "delete" => LifecycleCommands.Delete(runtime, reader),
                "pause" => LifecycleCommands.Pause(runtime, reader),
                "resume" => LifecycleCommands.Resume(runtime, reader),
                "exec" => ExecCommand.Exec(runtime, reader),
                "list" => InfoCommands.List(runtime, reader),
                "ps" => InfoCommands.Ps(runtime, reader),
                "update" => UpdateCommand.Update(runtime, reader),
                "events" => EventsCommand.Events(runtime, reader),
                "features" => InfoCommands.Features(reader),
                "spec" => InfoCommands.Spec(reader),
                "monitor" => MonitorCommand.Monitor(reader, log, logFormat, debug),
                "health-check" => HealthCheckCommand.HealthCheck(root, reader),
                "netns" => NetnsCommand.Netns(reader),
                "help" => Help(),
                _ => throw new UsageException($"unknown command \"{verb}\" (see pscrun --help)"),
            };
        }
        catch (Exception e) when (e is ContainerException or SyscallException or SpecException or UsageException
            or InvalidOperationException or IOException or UnauthorizedAccessException or NotSupportedException
            or PSContainers.Runtime.Cgroups.CgroupException or System.Text.Json.JsonException or ArgumentException
            or FormatException or OverflowException)
        {
            if (log is not null)
            {
                logger?.LogError("{Message}", e.Message);
            }

            Console.Error.WriteLine("pscrun: " + e.Message);

            return 1;
        }
    }

    private static int Help()
    {
        Console.WriteLine(Usage);
        return 0;
    }

    private const string Usage = """
        pscrun: an OCI runtime (runc command line) of PSContainers

        usage: pscrun [--root DIR] [--log FILE] [--log-format text|json] [--debug] COMMAND [OPTIONS] ID

        commands:
          create    create a container from a bundle (--bundle, --pid-file, --console-socket, --preserve-fds, --no-pivot, --no-new-keyring)
          start     run the user process of a created container
          run       create and start, then wait (--detach to return at once)
          state     print the OCI state of a container as JSON
          kill      send a signal to the init (or --all processes)
          delete    delete a stopped container (--force kills it first)
          exec      run a process in a running container (--process FILE or inline args)
          list      list containers (--format table|json, --quiet)
          ps        list the processes of a container (--format table|json)
          pause     freeze every process of a container
          resume    thaw a paused container
          update    change resource limits of a running container (--resources FILE or flags)
          events    print cgroup stats as JSON (--stats once, else every --interval 5s) and OOM kills as they happen
          features  print what this runtime supports as JSON
          spec      write a template config.json (--bundle)
          health-check  run a container's health check once and record it (--bundle, --state-dir, --events); its monitor runs it on schedule
          netns     netns create PATH: a new network namespace with lo up, bind-mounted at PATH (for CNI plugins)
          monitor   run one container for the engine: log, attach socket, status, restart, cleanup (--runtime-root, --bundle, --id, --state-dir, --overlay, --restart, --remove-on-exit, --tty, --stdin, --ready-fd, --attach-fd, --events)
        """;
}
