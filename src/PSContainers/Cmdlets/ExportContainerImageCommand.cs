using System.Management.Automation;
using PSContainers.Core.Images;

namespace PSContainers.Cmdlets;

/// <summary>Export-ContainerImage (docker save): images to a docker-archive or oci-archive tar that docker, podman and skopeo load.</summary>
[Cmdlet(VerbsData.Export, "ContainerImage", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportContainerImageCommand : ImageCmdletBase
{
    private readonly List<string> _images = [];

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id", "Name")]
    [ArgumentCompleter(typeof(Completers.ImageNameCompleter))]
    public string[] Image { get; set; } = [];

    /// <summary>The tar file to write (replaced if it exists).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public string Path { get; set; } = "";

    /// <summary>DockerArchive (docker save's format, the default) or OciArchive.</summary>
    [Parameter]
    [ValidateSet("DockerArchive", "OciArchive")]
    public ImageArchiveFormat Format { get; set; } = ImageArchiveFormat.DockerArchive;

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => _images.AddRange(Image);

    protected override void EndProcessing()
    {
        var path = GetUnresolvedProviderPathFromPSPath(Path);
        if (_images.Count == 0 || !ShouldProcess(path, $"Export {string.Join(", ", _images)}"))
        {
            return;
        }

        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        var done = Images(path, (service, progress, ct) =>
        {
            try
            {
                using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
                {
                    service.Export(_images, Format, file, progress, ct);
                }

                File.Move(temp, path, overwrite: true);
                return true;
            }
            finally
            {
                File.Delete(temp);
            }
        });
        if (done && PassThru)
        {
            // Through the provider, as Get-Item: a bare FileInfo lacks what the file table view shows (mode, owner, size).
            WriteObject(InvokeProvider.Item.Get([path], force: false, literalPath: true), enumerateCollection: true);
        }
    }
}
