namespace PSContainers.Runtime.Container;

/// <summary>A runtime operation on a container failed in a way the user can act on.</summary>
public class ContainerException : Exception
{
    public ContainerException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
