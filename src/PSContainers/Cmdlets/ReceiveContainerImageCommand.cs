using System.Management.Automation;
using PSContainers.Core.Images;

namespace PSContainers.Cmdlets;

/// <summary>Receive-ContainerImage (docker pull): fetches an image from a registry into the image store, with progress per layer.</summary>
[Cmdlet(VerbsCommunications.Receive, "ContainerImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(ContainerImage))]
public sealed class ReceiveContainerImageCommand : RegistryCmdletBase
{
    /// <summary>The image: busybox, alpine:3.20, localhost:5000/app@sha256:...; short names use the search registries.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Reference", "Image")]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    /// <summary>os/arch[/variant] to pick from a multi-platform image; linux and this machine's architecture by default.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(PSContainers.Completers.PlatformCompleter))]
    public string? Platform { get; set; }

    /// <summary>Fetch every platform of a multi-platform image, so Publish-ContainerImage can push the whole index.</summary>
    [Parameter]
    public SwitchParameter AllPlatforms { get; set; }

    /// <summary>A login for this pull only; otherwise auth.json's (Connect-ContainerRegistry), otherwise anonymous.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    protected override void ProcessRecord()
    {
        PlatformSpec? platform = null;
        if (Platform is not null)
        {
            try
            {
                platform = PlatformSpec.Parse(Platform);
            }
            catch (Core.Containers.ContainerEngineException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "InvalidPlatform", ErrorCategory.InvalidArgument, Platform));
            }
        }

        var credential = ToRegistryCredential(Credential);
        foreach (var name in Name)
        {
            if (!ShouldProcess(name, "Pull image"))
            {
                continue;
            }

            var image = Registry(name, $"Pulling {name}", (registry, progress, ct) =>
                registry.PullAsync(name, platform, credential, AllPlatforms, progress, progress, ct));
            if (image is not null)
            {
                WriteObject(AsImageObject(image));
            }
        }
    }
}
