namespace PSContainers.Runtime.Monitor;

/// <summary>The document a monitor keeps in SDIR/status.json: what the engine reads about a container.</summary>
public sealed class MonitorStatus
{
    public const string Created = "created", Running = "running", Exited = "exited";

    /// <summary>"created", "running" or "exited".</summary>
    public string Status { get; set; } = Created;

    /// <summary>Host pid of the container's init; 0 when it is not running.</summary>
    public int Pid { get; set; }

    /// <summary>Exit code of the last run, or 128 + signal; null until it exited.</summary>
    public int? ExitCode { get; set; }

    public bool OomKilled { get; set; }

    public string? StartedAt { get; set; }

    public string? FinishedAt { get; set; }

    public int RestartCount { get; set; }

    public int MonitorPid { get; set; }

    /// <summary>True while the monitor waits to restart the container after an exit.</summary>
    public bool Restarting { get; set; }

    /// <summary>Why create or start failed (exit code 127); absent otherwise.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; set; }
}
