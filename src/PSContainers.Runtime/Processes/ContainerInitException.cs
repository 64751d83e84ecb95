namespace PSContainers.Runtime.Processes;

/// <summary>The container's init process reported that setting up the container failed.</summary>
public sealed class ContainerInitException : Exception
{
    public ContainerInitException(string message) : base(message)
    {
    }
}
