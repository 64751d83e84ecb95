using System.Management.Automation;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

/// <summary>Connect-ContainerNetwork (docker network connect): joins a container to another network, at once when it runs.</summary>
[Cmdlet(VerbsCommunications.Connect, "ContainerNetwork", SupportsShouldProcess = true)]
[OutputType(typeof(ContainerInfo))]
public sealed class ConnectContainerNetworkCommand : NetworkMembershipCmdletBase
{
    /// <summary>More names the container has on this network.</summary>
    [Parameter]
    public string[] Alias { get; set; } = [];

    /// <summary>A fixed address from the network's subnet.</summary>
    [Parameter]
    public string? IPAddress { get; set; }

    protected override string Action => $"Connect to network {Network}";

    protected override ContainerInfo Apply(IContainerNetworkService service, string container, CancellationToken cancellationToken) =>
        service.ConnectNetwork(container, Network, Alias, IPAddress, cancellationToken);
}
