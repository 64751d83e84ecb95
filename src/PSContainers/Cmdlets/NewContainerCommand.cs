using System.Management.Automation;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

/// <summary>New-Container (docker create): a container on a root filesystem, created but not started.</summary>
[Cmdlet(VerbsCommon.New, "Container", SupportsShouldProcess = true, DefaultParameterSetName = ImageSet)]
[OutputType(typeof(ContainerInfo))]
public sealed class NewContainerCommand : ContainerCreateCmdletBase
{
    /// <summary>Delete the container when it exits (docker create --rm).</summary>
    [Parameter]
    public SwitchParameter Remove { get; set; }

    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Name ?? Source, "Create container"))
        {
            return;
        }

        var request = BuildRequest(Remove);
        if (Engine(Source, (engine, ct) => engine.Create(request, ct)) is { } info)
        {
            WriteObject(info);
        }
    }
}
