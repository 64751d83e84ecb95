using System.Management.Automation;
using PSContainers.Completers;

namespace PSContainers.Cmdlets;

/// <summary>Remove-ContainerNetwork (docker network rm): deletes networks no container is created on.</summary>
[Cmdlet(VerbsCommon.Remove, "ContainerNetwork", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
public sealed class RemoveContainerNetworkCommand : NetworkCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string[] Name { get; set; } = [];

    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            if (ShouldProcess(name, "Remove container network"))
            {
                Networks(name, (service, ct) =>
                {
                    service.RemoveNetwork(name, ct);
                    return true;
                });
            }
        }
    }
}
