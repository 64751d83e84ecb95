using System.Management.Automation;
using PSContainers.Completers;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

/// <summary>Get-Container (docker ps / inspect): running containers, -All for every one, or those named by -Name or -Id.</summary>
[Cmdlet(VerbsCommon.Get, "Container", DefaultParameterSetName = ByNameSet)]
[OutputType(typeof(ContainerInfo))]
public sealed class GetContainerCommand : ContainerCmdletBase
{
    private const string ByNameSet = "ByName";
    private const string ByIdSet = "ById";

    /// <summary>Names, wildcards allowed; with -Name every matching container is listed, running or not.</summary>
    [Parameter(Position = 0, ParameterSetName = ByNameSet, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ContainerNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Full ids or unique prefixes.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByIdSet, ValueFromPipelineByPropertyName = true)]
    public string[] Id { get; set; } = [];

    /// <summary>Include created and exited containers.</summary>
    [Parameter(ParameterSetName = ByNameSet)]
    public SwitchParameter All { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ByIdSet)
        {
            foreach (var id in Id)
            {
                if (Engine(id, (engine, _) => engine.Get(id)) is { } info)
                {
                    WriteObject(info);
                }
            }

            return;
        }

        var all = Engine("containers", (engine, _) => engine.List(All || Name is not null));
        if (all is null)
        {
            return;
        }

        if (Name is null)
        {
            WriteObject(all, enumerateCollection: true);
            return;
        }

        foreach (var name in Name)
        {
            var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
            var matches = all.Where(c => pattern.IsMatch(c.Name)).ToList();
            if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                var e = ContainerEngineException.NotFound(name);
                WriteError(new ErrorRecord(e, e.ErrorId, ErrorCategory.ObjectNotFound, name));
            }

            WriteObject(matches, enumerateCollection: true);
        }
    }
}
