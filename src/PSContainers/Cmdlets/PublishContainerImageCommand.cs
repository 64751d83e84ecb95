using System.Management.Automation;
using PSContainers.Core.Registry;

namespace PSContainers.Cmdlets;

/// <summary>Publish-ContainerImage (docker push): sends a stored image to a registry, under its own name or -Destination.</summary>
[Cmdlet(VerbsData.Publish, "ContainerImage", SupportsShouldProcess = true)]
[OutputType(typeof(ImagePushResult))]
public sealed class PublishContainerImageCommand : RegistryCmdletBase
{
    /// <summary>The stored image: a name (localhost:5000/app:1), an id or id prefix.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id", "Image")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PSContainers.Completers.ImageNameCompleter))]
    public string Name { get; set; } = "";

    /// <summary>Where to push instead of the image's own name: registry/repository[:tag].</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Destination { get; set; }

    /// <summary>A login for this push only; otherwise auth.json's (Connect-ContainerRegistry).</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Destination ?? Name, $"Push image {Name}"))
        {
            return;
        }

        var credential = ToRegistryCredential(Credential);
        var result = Registry(Name, $"Pushing {Destination ?? Name}", (registry, progress, ct) =>
            registry.PushAsync(Name, Destination, credential, progress, ct));
        if (result is not null)
        {
            WriteObject(result);
        }
    }
}
