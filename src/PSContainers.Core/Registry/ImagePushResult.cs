namespace PSContainers.Core.Registry;

/// <summary>What Publish-ContainerImage did: where the image went, the digest the registry stored, and how each blob got there.</summary>
public sealed class ImagePushResult
{
    /// <summary>The normalized reference pushed to.</summary>
    public string Reference { get; init; } = "";

    /// <summary>The digest of the manifest (or index) stored under the tag.</summary>
    public string Digest { get; init; } = "";

    /// <summary>Image manifests pushed: 1, or one per platform of a pushed index.</summary>
    public int Manifests { get; init; }

    public int BlobsUploaded { get; init; }

    /// <summary>Blobs the registry took from another of its repositories without an upload.</summary>
    public int BlobsMounted { get; init; }

    /// <summary>Blobs the repository already had.</summary>
    public int BlobsExisting { get; init; }

    /// <summary>Total size of the image's blobs.</summary>
    public long Bytes { get; init; }

    public override string ToString() => $"{Reference}@{Digest}";
}
