using PSContainers.Core.Images.Oci;

namespace PSContainers.Core.Images;

/// <summary>An image as Get-ContainerImage shows it (PSContainers.ContainerImage): docker images' columns plus docker inspect's config.</summary>
public sealed class ContainerImage
{
    /// <summary>The config digest ("sha256:..."), the image id docker shows.</summary>
    public string Id { get; init; } = "";

    /// <summary>12 hex characters of the id.</summary>
    public string ShortId => Id.Length > 19 ? Id[(Id.IndexOf(':') + 1)..][..12] : Id;

    /// <summary>Names as docker shows them: busybox:latest, localhost:5000/app:1.</summary>
    public IReadOnlyList<string> RepoTags { get; init; } = [];

    public IReadOnlyList<string> RepoDigests { get; init; } = [];

    /// <summary>Normalized full references: docker.io/library/busybox:latest.</summary>
    public IReadOnlyList<string> Names { get; init; } = [];

    public string ManifestDigest { get; init; } = "";

    public string? IndexDigest { get; init; }

    public DateTimeOffset? Created { get; init; }

    /// <summary>Bytes of the unpacked layers (what docker images calls SIZE).</summary>
    public long Size { get; init; }

    public string Architecture { get; init; } = "";

    public string Os { get; init; } = "";

    public string? Variant { get; init; }

    public string? Author { get; init; }

    public ImageRunConfig Config { get; init; } = new();

    public IReadOnlyList<string> Layers { get; init; } = [];

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>No name points at it: docker's &lt;none&gt;:&lt;none&gt;.</summary>
    public bool Dangling => RepoTags.Count == 0;

    /// <summary>Containers created from it (any state).</summary>
    public int Containers { get; init; }

    /// <summary>The first name's repository as docker images shows it, or &lt;none&gt;.</summary>
    public string Repository => RepoTags.Count == 0 ? "<none>" : RepoTags[0][..RepoTags[0].LastIndexOf(':')];

    public string Tag => RepoTags.Count == 0 ? "<none>" : RepoTags[0][(RepoTags[0].LastIndexOf(':') + 1)..];

    public override string ToString() => RepoTags.Count > 0 ? RepoTags[0] : ShortId;
}
