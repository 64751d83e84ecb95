namespace PSContainers.Core.Images;

/// <summary>
/// One stored image as images.json keeps it, keyed by its config digest (the image id), as docker keys images: the same
/// image pulled from two registries or exported and imported again is one record, whatever manifest it came under.
/// </summary>
public sealed class ImageRecord
{
    /// <summary>The config digest: the image id docker shows, and the record's key.</summary>
    public string Config { get; set; } = "";

    /// <summary>The platform manifest the image is read (layers) and pushed from: the first one it was stored under.</summary>
    public string Manifest { get; set; } = "";

    /// <summary>The index or manifest list <see cref="Manifest"/> was selected from, when there was one.</summary>
    public string? Index { get; set; }

    /// <summary>
    /// Other manifests and indexes the same image arrived under (another registry's manifest, other layer compression,
    /// an archive): the image is found by them too. Their blobs are not kept.
    /// </summary>
    public List<string> OtherManifests { get; set; } = [];

    /// <summary>Normalized references with a tag: docker.io/library/busybox:latest.</summary>
    public List<string> Names { get; set; } = [];

    /// <summary>Repositories the image came from or went to by digest: repository@manifest (and @index).</summary>
    public List<string> RepoDigests { get; set; } = [];

    /// <summary>chainIDs of the layers, bottom first: the snapshots this image holds.</summary>
    public List<string> ChainIds { get; set; } = [];

    public DateTimeOffset Added { get; set; }

    /// <summary>Whether digest is one of the manifests or indexes this image was stored under.</summary>
    public bool HasManifest(string digest) => Manifest == digest || Index == digest || OtherManifests.Contains(digest);

    /// <summary>Adds what other (a record of the same image, keyed by manifest before images were keyed by id) knows.</summary>
    internal void Absorb(ImageRecord other)
    {
        foreach (var digest in new[] { other.Manifest, other.Index }.Concat(other.OtherManifests))
        {
            if (digest is { Length: > 0 } && !HasManifest(digest))
            {
                OtherManifests.Add(digest);
            }
        }

        Names.AddRange(other.Names.Where(n => !Names.Contains(n)));
        RepoDigests.AddRange(other.RepoDigests.Where(d => !RepoDigests.Contains(d)));
        if (ChainIds.Count == 0)
        {
            ChainIds = other.ChainIds;
        }

        Added = other.Added < Added ? other.Added : Added;
    }
}
