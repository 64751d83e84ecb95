using System.Management.Automation;
using PSContainers.Completers;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

/// <summary>Connect-ContainerNetwork (docker network connect): joins a container to another network, at once when it runs.</summary>
[Cmdlet(VerbsCommunications.Connect, "ContainerNetwork", SupportsShouldProcess = true)]
[OutputType(typeof(ContainerInfo))]
public sealed class ConnectContainerNetworkCommand : NetworkCmdletBase
{
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string Network { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id", "Name")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ContainerNameCompleter))]
    public string[] Container { get; set; } = [];

    /// <summary>More names the container has on this network.</summary>
    [Parameter]
    public string[] Alias { get; set; } = [];

    /// <summary>A fixed address from the network's subnet.</summary>
    [Parameter]
    public string? IPAddress { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var container in Container)
        {
            if (ShouldProcess(container, $"Connect to network {Network}")
                && Networks(container, (service, ct) => service.ConnectNetwork(container, Network, Alias, IPAddress, ct)) is { } info && PassThru)
            {
                WriteObject(info);
            }
        }
    }
}
