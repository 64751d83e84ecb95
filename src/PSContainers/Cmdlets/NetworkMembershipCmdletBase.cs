using System.Management.Automation;
using PSContainers.Completers;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

/// <summary>Connect- and Disconnect-ContainerNetwork: a network, the containers it applies to, and -PassThru.</summary>
public abstract class NetworkMembershipCmdletBase : NetworkCmdletBase
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

    /// <summary>The ShouldProcess action, e.g. "Connect to network N".</summary>
    protected abstract string Action { get; }

    /// <summary>The change for one container, through the engine.</summary>
    protected abstract ContainerInfo Apply(IContainerNetworkService service, string container, CancellationToken cancellationToken);

    protected override void ProcessRecord()
    {
        foreach (var container in Container)
        {
            if (ShouldProcess(container, Action) && Networks(container, (service, ct) => Apply(service, container, ct)) is { } info && PassThru)
            {
                WriteObject(info);
            }
        }
    }
}
