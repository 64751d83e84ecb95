namespace PSContainers.Runtime.Spec;

/// <summary>The status values of State.Status the spec defines.</summary>
public static class ContainerStatus
{
    public const string Creating = "creating";
    public const string Created = "created";
    public const string Running = "running";
    public const string Stopped = "stopped";
    // Not in runtime.md, but runc and crun report it and podman reads it.
    public const string Paused = "paused";
}
