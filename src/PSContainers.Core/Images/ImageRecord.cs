namespace PSContainers.Core.Images;

/// <summary>One stored image as images.json keeps it: its manifest (and the index it was chosen from), names and when it arrived.</summary>
public sealed class ImageRecord
{
    /// <summary>The platform manifest's digest: the record's key.</summary>
    public string Manifest { get; set; } = "";

    /// <summary>The index or manifest list the manifest was selected from, when there was one.</summary>
    public string? Index { get; set; }

    /// <summary>The config digest: the image id docker shows.</summary>
    public string Config { get; set; } = "";

    /// <summary>Normalized references with a tag: docker.io/library/busybox:latest.</summary>
    public List<string> Names { get; set; } = [];

    /// <summary>Repositories the image came from or went to by digest: repository@manifest (and @index).</summary>
    public List<string> RepoDigests { get; set; } = [];

    /// <summary>chainIDs of the layers, bottom first: the snapshots this image holds.</summary>
    public List<string> ChainIds { get; set; } = [];

    public DateTimeOffset Added { get; set; }
}
