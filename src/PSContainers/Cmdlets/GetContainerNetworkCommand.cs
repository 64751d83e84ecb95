using System.Management.Automation;
using PSContainers.Completers;
using PSContainers.Core.Network;

namespace PSContainers.Cmdlets;

/// <summary>Get-ContainerNetwork (docker network ls / inspect): the networks, with wildcards on the name.</summary>
[Cmdlet(VerbsCommon.Get, "ContainerNetwork")]
[OutputType(typeof(ContainerNetwork))]
public sealed class GetContainerNetworkCommand : NetworkCmdletBase
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string[] Name { get; set; } = [];

    protected override void ProcessRecord()
    {
        var list = Networks("networks", (service, _) => service.ListNetworks(Name));
        if (list is null)
        {
            return;
        }

        foreach (var name in Name.Where(n => !WildcardPattern.ContainsWildcardCharacters(n) && !list.Any(l => l.Name == n)))
        {
            WriteError(new ErrorRecord(NetworkService.NotFound(name), "NetworkNotFound", ErrorCategory.ObjectNotFound, name));
        }

        WriteObject(list, enumerateCollection: true);
    }
}
