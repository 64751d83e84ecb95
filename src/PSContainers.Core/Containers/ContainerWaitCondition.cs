namespace PSContainers.Core.Containers;

/// <summary>What Wait-Container waits for: docker wait's conditions, and a container's health.</summary>
public enum ContainerWaitCondition
{
    /// <summary>docker's not-running (the default): the container is not running, now or once it exits.</summary>
    NotRunning,

    /// <summary>docker's next-exit: the next exit from now, even one its restart policy follows with a restart.</summary>
    NextExit,

    /// <summary>docker's removed: the container is gone (exited and removed, by -Remove or Remove-Container).</summary>
    Removed,

    /// <summary>Its health check reports healthy; an error when it reports unhealthy, exits, or has no health check.</summary>
    Healthy,
}
