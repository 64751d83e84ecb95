using System.Management.Automation;
using PSContainers.Core.Build;
using PSContainers.Core.Images;

namespace PSContainers.Cmdlets;

/// <summary>New-ContainerImage -Container (docker commit): a container's changes as a new image.</summary>
[Cmdlet(VerbsCommon.New, "ContainerImage", SupportsShouldProcess = true)]
[OutputType(typeof(ContainerImage))]
public sealed class NewContainerImageCommand : ImageCmdletBase
{
    /// <summary>The container to commit, by name or id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name", "Id")]
    public string Container { get; set; } = "";

    /// <summary>Names for the new image.</summary>
    [Parameter(Position = 1)]
    public string[] Tag { get; set; } = [];

    /// <summary>Dockerfile instructions for the new image's config: 'CMD ["sh"]', 'ENV A=b', ...</summary>
    [Parameter]
    public string[] Change { get; set; } = [];

    /// <summary>The comment in the new image's history.</summary>
    [Parameter]
    public string? Message { get; set; }

    [Parameter]
    public string? Author { get; set; }

    /// <summary>Freeze a running container while its changes are read (on by default, as docker commit).</summary>
    [Parameter]
    public SwitchParameter Pause { get; set; } = true;

    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Container, "Commit container to image"))
        {
            return;
        }

        var request = new CommitRequest
        {
            Container = Container, Tags = Tag.ToList(), Changes = Change.ToList(), Message = Message, Author = Author, Pause = Pause,
        };
        try
        {
            var image = RunWithLogging((log, ct) => new BuildService(logger: log).Commit(request, ct));
            WriteObject(AsImageObject(image));
        }
        catch (Exception e) when (ToErrorRecord(e, Container) is { } record)
        {
            WriteError(record);
        }
    }
}
