using System.Management.Automation;
using PSContainers.Core.Images;

namespace PSContainers.Cmdlets;

/// <summary>Get-ContainerImage (docker images / docker image inspect): the stored images, newest first.</summary>
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
        var images = Images("images", (service, _, _) => service.List());
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
                matches = images.Where(i => i.RepoTags.Any(t => pattern.IsMatch(t) || pattern.IsMatch(t[..t.LastIndexOf(':')])) || i.Names.Any(pattern.IsMatch)).ToList();
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
