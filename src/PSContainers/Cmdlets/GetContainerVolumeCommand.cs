using System.Management.Automation;
using PSContainers.Core.Volumes;

namespace PSContainers.Cmdlets;

/// <summary>Get-ContainerVolume (docker volume ls / inspect): volumes by name with wildcards, each with the containers that use it.</summary>
[Cmdlet(VerbsCommon.Get, "ContainerVolume")]
[OutputType(typeof(ContainerVolume))]
public sealed class GetContainerVolumeCommand : VolumeCmdletBase
{
    /// <summary>Names or wildcard patterns; every volume when left out.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(Completers.VolumeNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Only volumes no container uses (docker volume ls -f dangling=true).</summary>
    [Parameter]
    public SwitchParameter Unused { get; set; }

    protected override void ProcessRecord()
    {
        var all = Volumes("volumes", (service, _) => service.List());
        if (all is null)
        {
            return;
        }

        var names = Name is { Length: > 0 } ? Name : ["*"];
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var pattern = new WildcardPattern(name, WildcardOptions.None);
            var matches = all.Where(v => pattern.IsMatch(v.Name)).ToList();
            if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                var e = VolumeService.NotFound(name);
                WriteError(new ErrorRecord(e, e.ErrorId, ErrorCategory.ObjectNotFound, name));
                continue;
            }

            foreach (var volume in matches.Where(v => (!Unused || v.UsedBy.Count == 0) && written.Add(v.Name)))
            {
                WriteObject(volume);
            }
        }
    }
}
