namespace PSContainers.Runtime.Container;

/// <summary>No container with the given id exists under the state root.</summary>
public sealed class ContainerNotFoundException : ContainerException
{
    public ContainerNotFoundException(string id) : base($"container \"{id}\" does not exist")
    {
        Id = id;
    }

    public string Id { get; }
}
