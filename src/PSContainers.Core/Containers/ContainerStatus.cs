namespace PSContainers.Core.Containers;

/// <summary>Where a container is in its life, as the engine reports it.</summary>
public enum ContainerStatus
{
    Created,
    Running,
    Paused,
    Exited,
}
