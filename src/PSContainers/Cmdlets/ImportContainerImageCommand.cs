using System.Management.Automation;
using PSContainers.Core.Images;

namespace PSContainers.Cmdlets;

/// <summary>Import-ContainerImage (docker load / docker import): docker-archive and oci-archive tars, or a root filesystem tarball as a new image.</summary>
[Cmdlet(VerbsData.Import, "ContainerImage", SupportsShouldProcess = true)]
[OutputType(typeof(ContainerImage))]
public sealed class ImportContainerImageCommand : ImageCmdletBase
{
    /// <summary>The tar file (gzip-compressed works too).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    public string Path { get; set; } = "";

    /// <summary>Auto (tell by content), DockerArchive, OciArchive or RootFs (docker import).</summary>
    [Parameter]
    public ImageArchiveFormat Format { get; set; } = ImageArchiveFormat.Auto;

    /// <summary>Names for the imported image(s), added to those the archive carries.</summary>
    [Parameter(Position = 1)]
    public string[] Tag { get; set; } = [];

    /// <summary>Dockerfile instructions for a rootfs import: 'CMD ["sh"]', 'ENV A=b', 'WORKDIR /app', ...</summary>
    [Parameter]
    public string[] Change { get; set; } = [];

    /// <summary>A comment for the history of a rootfs import.</summary>
    [Parameter]
    public string? Message { get; set; }

    /// <summary>os/arch[/variant] to take from a multi-platform archive.</summary>
    [Parameter]
    public string? Platform { get; set; }

    protected override void ProcessRecord()
    {
        var path = GetUnresolvedProviderPathFromPSPath(Path);
        if (!ShouldProcess(path, "Import image"))
        {
            return;
        }

        if (Change.Length > 0 && Format is not (ImageArchiveFormat.Auto or ImageArchiveFormat.RootFs))
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("-Change applies to a root filesystem tarball (-Format RootFs) only."), "InvalidArgument", ErrorCategory.InvalidArgument, Change));
        }

        var platform = Platform is null ? null : PlatformSpec.Parse(Platform);
        var images = Images(path, (service, progress, ct) => service.Import(path, Format, Tag, Change, platform, Message, progress, ct));
        foreach (var image in images ?? [])
        {
            WriteObject(AsImageObject(image));
        }
    }
}
