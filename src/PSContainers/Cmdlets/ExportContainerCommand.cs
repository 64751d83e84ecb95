using System.Management.Automation;

namespace PSContainers.Cmdlets;

/// <summary>Export-Container (docker export) for running containers: the merged filesystem as a tar file.</summary>
[Cmdlet(VerbsData.Export, "Container", SupportsShouldProcess = true)]
public sealed class ExportContainerCommand : ContainerCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(PSContainers.Completers.ContainerNameCompleter))]
    public string Id { get; set; } = "";

    /// <summary>The tar file to write.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public string Destination { get; set; } = "";

    protected override void ProcessRecord()
    {
        var path = GetUnresolvedProviderPathFromPSPath(Destination);
        if (!ShouldProcess(path, $"Export container {Id}"))
        {
            return;
        }

        var ok = Engine(Id, (engine, ct) =>
        {
            using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
            engine.Export(Id, file, ct);
            return true;
        });
        if (!ok)
        {
            File.Delete(path);
        }
    }
}
