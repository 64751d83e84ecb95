using System.Management.Automation;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

/// <summary>Rename-Container (docker rename).</summary>
[Cmdlet(VerbsCommon.Rename, "Container", SupportsShouldProcess = true)]
[OutputType(typeof(ContainerInfo))]
public sealed class RenameContainerCommand : ContainerCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PSContainers.Completers.ContainerNameCompleter))]
    public string Id { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string NewName { get; set; } = "";

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (ShouldProcess(Id, $"Rename container to {NewName}") && Engine(Id, (engine, _) => engine.Rename(Id, NewName)) is { } info && PassThru)
        {
            WriteObject(info);
        }
    }
}
