namespace PSContainers.Core.Containers;

/// <summary>How an exec ended: its exit code (128 + signal when a signal killed it) and the lines it wrote.</summary>
public sealed class ContainerExecResult
{
    public string ContainerId { get; init; } = "";

    public int ExitCode { get; init; }

    public IReadOnlyList<ContainerLogEntry> Output { get; init; } = [];
}
