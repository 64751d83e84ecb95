using PSContainers.Core.Build.Cache;
using PSContainers.Core.Images;
using PSContainers.Core.Images.Oci;
using PSContainers.Core.Images.Snapshots;

namespace PSContainers.Core.Build.Executor;

/// <summary>Turns a temporary snapshot that holds a new layer in overlay form into a stored layer: its tar blob and its snapshot.</summary>
/// <remarks>
/// The directory itself becomes the snapshot (renamed into place), as docker's overlay2 keeps a build container's
/// upper directory as the next layer's lowerdir: nothing is unpacked again. The blob is an uncompressed tar, so its
/// digest is the diffID; exports and pushes send it as it is.
/// </remarks>
internal static class LayerCommitter
{
    public static (BuildLayer Layer, long Size) Commit(ImageService images, string tempPath, BuildLayer? parent, CancellationToken cancellationToken)
    {
        Digest diffId;
        long blobSize, size, entries;
        using (var writer = images.Content.OpenWriter())
        {
            (entries, size) = LayerTarWriter.Write(Path.Combine(tempPath, "fs"), writer, cancellationToken);
            blobSize = writer.Length;
            diffId = writer.Commit();
        }

        var chainId = SnapshotStore.ChainId(parent is null ? null : Digest.Parse(parent.ChainId), diffId);
        images.Snapshots.Commit(tempPath, chainId, new SnapshotInfo
        {
            ChainId = chainId.ToString(), DiffId = diffId.ToString(), Blob = diffId.ToString(), Size = size, Entries = entries, TarSize = blobSize,
            Created = DateTimeOffset.UtcNow,
        });
        return (new BuildLayer { DiffId = diffId.ToString(), ChainId = chainId.ToString(), Blob = diffId.ToString(), MediaType = MediaTypes.OciLayer, BlobSize = blobSize }, size);
    }
}
