using PSContainers.Core.Images.Oci;

namespace PSContainers.Core.Images;

/// <summary>An image as Get-ContainerImage shows it (PSContainers.ContainerImage): docker images' columns plus docker inspect's config.</summary>
/// <remarks>
/// Get-ContainerImage writes one object per name, as docker images lists one row per repository:tag: the objects of
/// one image differ only in <see cref="Name"/> (and the Repository and Tag taken from it).
/// </remarks>
public sealed class ContainerImage
{
    private string? _name;

    /// <summary>The config digest ("sha256:..."), the image id docker shows.</summary>
    public string Id { get; init; } = "";

    /// <summary>12 hex characters of the id.</summary>
    public string ShortId => Id.Length > 19 ? Id[(Id.IndexOf(':') + 1)..][..12] : Id;

    /// <summary>Names as docker shows them: busybox:latest, localhost:5000/app:1.</summary>
    public IReadOnlyList<string> RepoTags { get; init; } = [];

    public IReadOnlyList<string> RepoDigests { get; init; } = [];

    /// <summary>Normalized full references: docker.io/library/busybox:latest.</summary>
    public IReadOnlyList<string> Names { get; init; } = [];

    /// <summary>The manifest the image is read and pushed from.</summary>
    public string ManifestDigest { get; init; } = "";

    public string? IndexDigest { get; init; }

    /// <summary>Every manifest and index digest the image was stored under (another registry's, a re-import's), ManifestDigest first.</summary>
    public IReadOnlyList<string> Digests { get; init; } = [];

    /// <summary>The name (repository:tag as docker shows it) this object stands for; null for an image without one.</summary>
    public string? Name { get => _name; init => _name = value; }

    /// <summary>What identifies this object to other cmdlets: its Name, or the id of an image without one (Remove-ContainerImage binds it).</summary>
    public string Reference => Name ?? Id;

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

    /// <summary>The repository of Name as docker images shows it; for an image without a name, the repository it was pulled from by digest, or &lt;none&gt;.</summary>
    public string Repository => Name is not null ? Name[..Name.LastIndexOf(':')]
        : RepoDigests.Count > 0 && RepoDigests[0].IndexOf('@') is > 0 and var at ? RepoDigests[0][..at]
        : "<none>";

    public string Tag => Name is null ? "<none>" : Name[(Name.LastIndexOf(':') + 1)..];

    /// <summary>This image standing for another of its names (null: for none, as a dangling row).</summary>
    internal ContainerImage WithName(string? name)
    {
        var copy = (ContainerImage)MemberwiseClone();
        copy._name = name;
        return copy;
    }

    public override string ToString() => Name ?? ShortId;
}
