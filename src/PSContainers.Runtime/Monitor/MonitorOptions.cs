namespace PSContainers.Runtime.Monitor;

/// <summary>What `pscrun monitor` was asked to run: the container, where to report, and how to treat its exits.</summary>
public sealed record MonitorOptions
{
    public required string RuntimeRoot { get; init; }

    public required string Bundle { get; init; }

    public required string Id { get; init; }

    /// <summary>The engine's directory for this container: monitor.pid, status.json, container.log, the attach socket and the stop/removed markers.</summary>
    public required string StateDir { get; init; }

    public OverlayMount? Overlay { get; init; }

    public RestartPolicy Restart { get; init; } = RestartPolicy.No;

    public bool RemoveOnExit { get; init; }

    /// <summary>The container gets a pty (its config must say process.terminal); output, input and resizes go through it.</summary>
    public bool Tty { get; init; }

    /// <summary>The container's stdin is a pipe fed from attach clients (docker run -i) instead of /dev/null.</summary>
    public bool OpenStdin { get; init; }

    /// <summary>An inherited fd that gets "1" once the container runs, or "error: MESSAGE"; -1 for none.</summary>
    public int ReadyFd { get; init; } = -1;

    /// <summary>An inherited, connected attach socket: a client attached before the container starts, so it misses no output; -1 for none.</summary>
    public int AttachFd { get; init; } = -1;

    /// <summary>pscrun's global options (--log, --log-format, --debug), repeated when the monitor replaces its image.</summary>
    public IReadOnlyList<string> GlobalArgs { get; init; } = [];

    /// <summary>The engine's event journal (die, oom and health_status go there); null for none.</summary>
    public string? EventsPath { get; init; }

    /// <summary>The state a previous image of this monitor passed on (see MonitorHandoff); null on the first start.</summary>
    public MonitorHandoff? Handoff { get; init; }

    public string StatusPath => Path.Combine(StateDir, "status.json");

    public string LogPath => Path.Combine(StateDir, "container.log");

    public string PidPath => Path.Combine(StateDir, "monitor.pid");

    public string StopRequestedPath => Path.Combine(StateDir, "stop-requested");

    public string RemovedPath => Path.Combine(StateDir, "removed-by-monitor");

    public string AttachPath => Path.Combine(StateDir, "attach");

    public string MonitorLogPath => Path.Combine(StateDir, "monitor.log");

    /// <summary>argv[1..] of the health-check verb pscmon runs on schedule.</summary>
    public List<string> HealthCheckArgs()
    {
        var args = new List<string>(GlobalArgs) { "--root", RuntimeRoot, "health-check", "--bundle", Bundle, "--state-dir", StateDir };
        if (EventsPath is not null)
        {
            args.Add("--events");
            args.Add(EventsPath);
        }

        args.Add(Id);
        return args;
    }

    /// <summary>The command line that starts this monitor again with the given handoff (argv[1..]).</summary>
    public List<string> ToArgs(MonitorHandoff handoff)
    {
        var args = new List<string>(GlobalArgs)
        {
            "monitor", "--runtime-root", RuntimeRoot, "--bundle", Bundle, "--id", Id, "--state-dir", StateDir,
            "--restart", Restart.ToString(),
        };
        if (Overlay is not null)
        {
            args.Add("--overlay");
            args.Add(Overlay.ToArgument());
        }

        if (RemoveOnExit)
        {
            args.Add("--remove-on-exit");
        }

        if (EventsPath is not null)
        {
            args.Add("--events");
            args.Add(EventsPath);
        }

        if (Tty)
        {
            args.Add("--tty");
        }

        if (OpenStdin)
        {
            args.Add("--stdin");
        }

        args.Add("--handoff");
        args.Add(handoff.ToArgument());
        return args;
    }
}
