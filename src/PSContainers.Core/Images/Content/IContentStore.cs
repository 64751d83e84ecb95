namespace PSContainers.Core.Images.Content;

/// <summary>Content-addressed blobs with OCI image-layout semantics (blobs/ALG/HEX); what the registry client and archives write into.</summary>
/// <remarks>
/// Every write is verified before it becomes visible: bytes go to a temporary file under ingest/ while they are hashed,
/// the digest and size are checked, the file is fsync'd and renamed into place. A mismatch keeps nothing. A process
/// killed mid-write leaves only a temporary file, which the next ingest or prune in any process deletes (each writer
/// holds a flock on its temporary file, so a live writer's file is never taken for stale).
/// A blob that nothing references may be deleted by a prune: hold <see cref="ImageService.AcquireLease"/> from the first
/// ingest until <see cref="ImageService.Register"/> has recorded the image that references it.
/// </remarks>
public interface IContentStore
{
    bool Exists(Digest digest);

    /// <summary>The blob's size in bytes, or null when it is not stored.</summary>
    long? GetSize(Digest digest);

    /// <summary>Opens a stored blob for reading; ContentNotFound when it is missing.</summary>
    Stream OpenRead(Digest digest);

    /// <summary>The stored blob's bytes (for manifests and configs, which are small).</summary>
    byte[] ReadAllBytes(Digest digest);

    /// <summary>
    /// A writer that hashes while it writes. Write to it (it is a Stream), then Commit; Dispose without Commit discards.
    /// After a broken download keep the writer and resume the transfer at <see cref="ContentWriter.Length"/>
    /// (an HTTP Range request): the hash state carries on.
    /// </summary>
    ContentWriter OpenWriter(Digest? expected = null, long? expectedSize = null);

    /// <summary>Copies the whole stream into the store and verifies it against expected (when given); returns the digest.</summary>
    Task<Digest> IngestAsync(Digest? expected, Stream source, CancellationToken cancellationToken = default, long? expectedSize = null, IProgress<long>? progress = null);

    /// <summary>Stores small content (a manifest, a config) and returns its sha256 digest, or checks it against expected.</summary>
    Digest Ingest(ReadOnlySpan<byte> data, Digest? expected = null);

    /// <summary>Deletes a blob; false when it was not there. Callers make sure nothing references it.</summary>
    bool Delete(Digest digest);

    IEnumerable<Digest> List();
}
