using System.Management.Automation;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

/// <summary>Disconnect-ContainerNetwork (docker network disconnect): takes a container off a network, at once when it runs.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "ContainerNetwork", SupportsShouldProcess = true)]
[OutputType(typeof(ContainerInfo))]
public sealed class DisconnectContainerNetworkCommand : NetworkMembershipCmdletBase
{
    protected override string Action => $"Disconnect from network {Network}";

    protected override ContainerInfo Apply(IContainerNetworkService service, string container, CancellationToken cancellationToken) =>
        service.DisconnectNetwork(container, Network, cancellationToken);
}
