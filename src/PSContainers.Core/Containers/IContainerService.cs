namespace PSContainers.Core.Containers;

/// <summary>The engine's container operations; cmdlets call these and nothing below them.</summary>
/// <remarks>
/// References (idOrName) accept a full id, a unique id prefix of at least 4 characters, or a name.
/// Failures throw ContainerEngineException carrying a stable ErrorId the cmdlets turn into ErrorRecords.
/// </remarks>
public interface IContainerService
{
    ContainerInfo Create(ContainerCreateRequest request, CancellationToken cancellationToken = default);

    ContainerInfo Start(string idOrName, CancellationToken cancellationToken = default);

    /// <summary>Starts a container with the caller attached from its first output on (foreground Invoke-Container).</summary>
    ContainerAttachment StartAttached(string idOrName, CancellationToken cancellationToken = default);

    /// <summary>Attaches to a running container through its monitor's attach socket.</summary>
    ContainerAttachment Attach(string idOrName);

    /// <summary>Waits until the container's monitor has finished (after its final exit), so a -Remove container is gone.</summary>
    void AwaitMonitorExit(string id, CancellationToken cancellationToken = default);

    /// <summary>Runs a command in a running container on a pty of its own (Enter-Container).</summary>
    ExecTerminal StartExecTerminal(string idOrName, ContainerExecRequest request, CancellationToken cancellationToken = default);

    /// <summary>Runs a command in a running container with its standard streams as raw pipes (docker exec -i without -t).</summary>
    ExecProcess StartExecProcess(string idOrName, ContainerExecRequest request, bool openStdin);

    /// <summary>Sends the stop signal, waits up to the timeout, then SIGKILL.</summary>
    ContainerInfo Stop(string idOrName, string? signal = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    ContainerInfo Kill(string idOrName, string signal = "KILL", CancellationToken cancellationToken = default);

    ContainerInfo Restart(string idOrName, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    void Remove(string idOrName, bool force, CancellationToken cancellationToken = default);

    /// <summary>Removes the container; with removeVolumes, also its anonymous volumes that no other container uses (docker rm -v).</summary>
    void Remove(string idOrName, bool force, bool removeVolumes, CancellationToken cancellationToken);

    ContainerInfo Get(string idOrName);

    IReadOnlyList<ContainerInfo> List(bool all);

    /// <summary>Waits for the container to exit and returns its exit code; -1 at once for a container that never started, and when the code was lost.</summary>
    int Wait(string idOrName, CancellationToken cancellationToken = default);

    /// <summary>The engine's event journal (docker events).</summary>
    Events.EventService Events { get; }

    /// <summary>Waits for a docker wait condition (or health); the exit code, or 0 once healthy.</summary>
    int Wait(string idOrName, ContainerWaitCondition condition, CancellationToken cancellationToken = default);

    /// <summary>Waits until the container's health check says healthy; an error when it is unhealthy, not running, or has no check.</summary>
    ContainerInfo WaitHealthy(string idOrName, CancellationToken cancellationToken = default);

    /// <summary>Log lines in order; with follow, keeps yielding until the container stops or cancellation.</summary>
    IEnumerable<ContainerLogEntry> ReadLog(string idOrName, bool follow, int? tail, DateTimeOffset? since, CancellationToken cancellationToken = default);

    ContainerExecResult Exec(string idOrName, ContainerExecRequest request, Action<ContainerLogEntry>? output = null, CancellationToken cancellationToken = default);

    ContainerInfo Pause(string idOrName);

    ContainerInfo Resume(string idOrName);

    ContainerInfo Rename(string idOrName, string newName);

    ContainerInfo Update(string idOrName, ContainerResources resources);

    IReadOnlyList<ContainerProcessInfo> Top(string idOrName);

    ContainerStatistics Stats(string idOrName);

    IReadOnlyList<ContainerChange> Diff(string idOrName);

    /// <summary>
    /// Records one of docker's exec events for a container: exec_create and exec_start (the action names the command),
    /// exec_die (with exitCode). Exec emits its own start and die; callers that run an exec through StartExecProcess
    /// or StartExecTerminal record them with this.
    /// </summary>
    void RecordExecEvent(string idOrName, string action, ContainerExecRequest request, int? exitCode = null);

    /// <summary>Records a container event that a caller sees happen (attach, commit), with docker's actor attributes (name, image, labels) and extra ones.</summary>
    void RecordEvent(string idOrName, string action, params (string Key, string Value)[] extra);

    /// <summary>docker ps -s: the bytes of the container's writable layer, and of that layer with its image's layers.</summary>
    ContainerSize Size(string idOrName);

    /// <summary>Copies a path out of the container to the host (paths resolved inside the container root).</summary>
    void CopyFrom(string idOrName, string containerPath, string hostPath);

    void CopyTo(string idOrName, string hostPath, string containerPath);

    /// <summary>Writes the container's filesystem as a tar stream.</summary>
    void Export(string idOrName, Stream destination, CancellationToken cancellationToken = default);
}
