using System.Management.Automation;
using PSContainers.Core.Images;

namespace PSContainers.Cmdlets;

/// <summary>Get-ContainerImage (docker images / docker image inspect): one object per image name (repository:tag), newest image first; an image without a name once, as &lt;none&gt;.</summary>
[Cmdlet(VerbsCommon.Get, "ContainerImage")]
[OutputType(typeof(ContainerImage))]
public sealed class GetContainerImageCommand : ImageCmdletBase
{
    /// <summary>Names (busybox, busybox:*, *app*), ids or id prefixes; wildcards match names as docker shows them.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id", "Image")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(Completers.ImageNameCompleter))]
    public string[] Name { get; set; } = [];

    /// <summary>docker images -a: also intermediate images of builds (there are none until builds exist; dangling images always show).</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    /// <summary>Only images no name points at (docker images -f dangling=true).</summary>
    [Parameter]
    public SwitchParameter Dangling { get; set; }

    protected override void ProcessRecord()
    {
        var images = Images("images", (service, _, _) => service.ListNames());
        if (images is null)
        {
            return;
        }

        if (Name.Length == 0)
        {
            foreach (var image in images.Where(i => !Dangling || i.Dangling))
            {
                WriteObject(AsImageObject(image));
            }

            return;
        }

        foreach (var name in Name)
        {
            var pattern = WildcardPattern.ContainsWildcardCharacters(name) ? new WildcardPattern(name, WildcardOptions.IgnoreCase) : null;
            List<ContainerImage> matches;
            if (pattern is not null)
            {
                // The rows whose own name matches (busybox:*, *app*), by its short or full form or its repository.
                matches = images.Where(i => i.Name is { } n && (pattern.IsMatch(n) || pattern.IsMatch(i.Repository)
                    || i.Names.Any(full => ImageReference.TryParse(full, out var r, out _) && r.FamiliarName == n && pattern.IsMatch(full)))).ToList();
            }
            else
            {
                var one = Images(name, (service, _, _) => service.Get(name));
                matches = one is null ? [] : [one];
                if (one is null)
                {
                    continue;
                }
            }

            foreach (var image in matches.Where(i => !Dangling || i.Dangling))
            {
                WriteObject(AsImageObject(image));
            }
        }
    }
}
