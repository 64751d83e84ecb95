using System.Management.Automation;
using PSContainers.Completers;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

/// <summary>Disconnect-ContainerNetwork (docker network disconnect): takes a container off a network, at once when it runs.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "ContainerNetwork", SupportsShouldProcess = true)]
[OutputType(typeof(ContainerInfo))]
public sealed class DisconnectContainerNetworkCommand : NetworkCmdletBase
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

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var container in Container)
        {
            if (ShouldProcess(container, $"Disconnect from network {Network}")
                && Networks(container, (service, ct) => service.DisconnectNetwork(container, Network, ct)) is { } info && PassThru)
            {
                WriteObject(info);
            }
        }
    }
}
