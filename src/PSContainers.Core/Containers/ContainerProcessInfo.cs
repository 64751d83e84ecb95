namespace PSContainers.Core.Containers;

/// <summary>One process in a container's cgroup (docker top).</summary>
public sealed class ContainerProcessInfo
{
    public int Pid { get; init; }

    public int ParentPid { get; init; }

    public string State { get; init; } = "";

    public uint Uid { get; init; }

    public TimeSpan CpuTime { get; init; }

    public string Command { get; init; } = "";

    public string CommandLine { get; init; } = "";
}
