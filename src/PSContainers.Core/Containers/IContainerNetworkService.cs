using PSContainers.Core.Network;

namespace PSContainers.Core.Containers;

/// <summary>The network half of the engine the network cmdlets call: networks, connections, ports.</summary>
public interface IContainerNetworkService
{
    ContainerNetwork CreateNetwork(NetworkCreateRequest request, CancellationToken cancellationToken = default);

    IReadOnlyList<ContainerNetwork> ListNetworks(IReadOnlyCollection<string>? names = null);

    void RemoveNetwork(string name, CancellationToken cancellationToken = default);

    IReadOnlyList<string> PruneNetworks(CancellationToken cancellationToken = default);

    ContainerInfo ConnectNetwork(string idOrName, string network, IReadOnlyList<string> aliases, string? ipAddress, CancellationToken cancellationToken = default);

    ContainerInfo DisconnectNetwork(string idOrName, string network, CancellationToken cancellationToken = default);

    IReadOnlyList<ContainerPortMapping> GetPorts(string idOrName);
}
