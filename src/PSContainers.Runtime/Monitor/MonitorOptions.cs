namespace PSContainers.Runtime.Monitor;

/// <summary>What `pscrun monitor` was asked to run: the container, where to report, and how to treat its exits.</summary>
public sealed record MonitorOptions
{
    public required string RuntimeRoot { get; init; }

    public required string Bundle { get; init; }

    public required string Id { get; init; }

    /// <summary>The engine's directory for this container: monitor.pid, status.json, container.log and the stop/removed markers.</summary>
    public required string StateDir { get; init; }

    public OverlayMount? Overlay { get; init; }

    public RestartPolicy Restart { get; init; } = RestartPolicy.No;

    public bool RemoveOnExit { get; init; }

    /// <summary>An inherited fd that gets "1" once the container runs, or "error: MESSAGE"; -1 for none.</summary>
    public int ReadyFd { get; init; } = -1;

    public string StatusPath => Path.Combine(StateDir, "status.json");

    public string LogPath => Path.Combine(StateDir, "container.log");

    public string PidPath => Path.Combine(StateDir, "monitor.pid");

    public string StopRequestedPath => Path.Combine(StateDir, "stop-requested");

    public string RemovedPath => Path.Combine(StateDir, "removed-by-monitor");
}
