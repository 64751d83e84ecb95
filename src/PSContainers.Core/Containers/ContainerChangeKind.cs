namespace PSContainers.Core.Containers;

/// <summary>What happened to a path in a container's writable layer.</summary>
public enum ContainerChangeKind
{
    Changed,
    Added,
    Deleted,
}
