using System.Globalization;
using PSContainers.Core.Images;

namespace PSContainers.Api.Images;

/// <summary>The JSON docker's API gives for images (ImageSummary, ImageInspect, history items, delete items), from the engine's objects.</summary>
internal static class ImageShapes
{
    /// <summary>An RFC 3339 time with nanosecond digits, as docker writes Created and LastTagTime.</summary>
    public static string Time(DateTimeOffset? time) =>
        (time ?? DateTimeOffset.UnixEpoch).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>GET /images/json: one entry per image (the CLI makes one row per tag from RepoTags).</summary>
    public static object Summary(ContainerImage image) => new
    {
        image.Id,
        ParentId = "",
        image.RepoTags,
        image.RepoDigests,
        Created = (image.Created ?? DateTimeOffset.UnixEpoch).ToUnixTimeSeconds(),
        image.Size,
        // Layers are shared between images, but docker computes this only when asked; -1 says "not computed".
        SharedSize = -1L,
        // Gone in API 1.44; clients before that (docker 24) show it as the size.
        VirtualSize = image.Size,
        Labels = image.Labels,
        image.Containers,
    };

    /// <summary>GET /images/{name}/json.</summary>
    public static object Inspect(ContainerImage image) => new
    {
        image.Id,
        image.RepoTags,
        image.RepoDigests,
        Parent = "",
        Comment = "",
        Created = Time(image.Created),
        DockerVersion = "",
        Author = image.Author ?? "",
        Config = image.Config,
        // Docker before API 1.45 also gave the building container's id and config; clients of that time (compose 1.29
        // reads ContainerConfig.Volumes on a recreate) expect them. The image's own config stands for the latter.
        Container = "",
        ContainerConfig = image.Config,
        image.Architecture,
        Variant = image.Variant,
        image.Os,
        OsVersion = "",
        image.Size,
        VirtualSize = image.Size,
        // The engine keeps each layer as an overlay lower directory, as docker's overlay2 driver does.
        GraphDriver = new { Name = "overlay2", Data = new Dictionary<string, string>() },
        RootFS = new { Type = "layers", Layers = image.Layers },
        Metadata = new { LastTagTime = Time(null) },
    };

    /// <summary>GET /images/{name}/history: newest step first; Created is unix seconds.</summary>
    public static object History(ImageHistoryItem item, IReadOnlyList<string> tagsOfTop) => new
    {
        item.Id,
        Created = (item.Created ?? DateTimeOffset.UnixEpoch).ToUnixTimeSeconds(),
        item.CreatedBy,
        Tags = item.Id == "<missing>" ? null : tagsOfTop,
        item.Size,
        item.Comment,
    };

    /// <summary>DELETE /images/{name} and prune: {"Untagged": name} or {"Deleted": id}.</summary>
    public static Dictionary<string, string> DeleteItem(ImageDeleteResult result) => new(StringComparer.Ordinal) { [result.Action] = result.Target };
}
