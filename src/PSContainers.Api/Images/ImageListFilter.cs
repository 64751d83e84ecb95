using System.Globalization;
using PSContainers.Core.Images;

namespace PSContainers.Api.Images;

/// <summary>GET /images/json's filters: reference (globs over repository[:tag]), dangling, label, before, since, until.</summary>
internal static class ImageListFilter
{
    public static readonly string[] Names = ["reference", "dangling", "label", "before", "since", "until"];

    /// <summary>The images the filters keep, each with only the RepoTags a reference filter matched (as docker shows them).</summary>
    public static IReadOnlyList<ContainerImage> Apply(IReadOnlyList<ContainerImage> images, DockerFilters filters, Func<string, ContainerImage> resolve)
    {
        var dangling = filters.GetBool("dangling");
        var before = filters.Get("before").Select(r => resolve(r).Created ?? DateTimeOffset.MinValue).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
        var since = filters.Get("since").Select(r => resolve(r).Created ?? DateTimeOffset.MinValue).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
        var until = filters.Get("until").Select(ParseTime).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
        var patterns = filters.Get("reference");
        var result = new List<ContainerImage>();
        foreach (var image in images)
        {
            var created = image.Created ?? DateTimeOffset.MinValue;
            if ((dangling is { } d && image.Dangling != d) || !filters.MatchesLabels(image.Labels)
                || (filters.Has("before") && created >= before) || (filters.Has("since") && created <= since) || created > until)
            {
                continue;
            }

            if (patterns.Count > 0)
            {
                var tags = image.RepoTags.Where(t => patterns.Any(p => MatchesReference(p, t))).ToList();
                if (tags.Count == 0)
                {
                    continue;
                }

                result.Add(new ContainerImage
                {
                    Id = image.Id, RepoTags = tags, RepoDigests = image.RepoDigests, Names = image.Names, ManifestDigest = image.ManifestDigest,
                    IndexDigest = image.IndexDigest, Digests = image.Digests, Name = tags[0], Created = image.Created, Size = image.Size,
                    Architecture = image.Architecture, Os = image.Os, Variant = image.Variant, Author = image.Author, Config = image.Config,
                    Layers = image.Layers, Labels = image.Labels, Containers = image.Containers,
                });
                continue;
            }

            result.Add(image);
        }

        return result;
    }

    /// <summary>docker's reference filter on one familiar name (busybox:latest): the pattern matches the whole name, or the repository when it has no tag.</summary>
    public static bool MatchesReference(string pattern, string familiarName)
    {
        if (DockerFilters.GlobMatch(pattern, familiarName))
        {
            return true;
        }

        var colon = familiarName.LastIndexOf(':');
        var hasTag = pattern.LastIndexOf(':') > pattern.LastIndexOf('/');
        return !hasTag && colon > familiarName.LastIndexOf('/') && DockerFilters.GlobMatch(pattern, familiarName[..colon]);
    }

    /// <summary>until: unix seconds (with a fraction) or an RFC 3339 time.</summary>
    public static DateTimeOffset ParseTime(string text)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return DateTimeOffset.UnixEpoch.AddSeconds(seconds);
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw ApiException.BadRequest($"invalid filter 'until={text}': give unix seconds or an RFC 3339 time (durations such as 10m are not supported)");
    }
}
