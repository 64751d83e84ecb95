namespace PSContainers.Core.Containers;

/// <summary>A path the container added, changed or deleted relative to its root filesystem (docker diff).</summary>
public sealed record ContainerChange(string Path, ContainerChangeKind Kind);
