using Microsoft.Extensions.Logging;
using PSContainers.Core.Containers;
using PSContainers.Core.Images.Oci;
using PSContainers.Core.State;

namespace PSContainers.Core.Images;

/// <summary>What the registry client needs beyond Register: one layer unpacked at a time, and clean-up after a failed pull.</summary>
public sealed partial class ImageService
{
    /// <summary>
    /// Unpacks one layer of an image unless its snapshot exists. A snapshot depends only on its own layer and its
    /// chainID (computed from the diffIDs), not on the lower layers' contents, so layers may be unpacked in any
    /// order and at once; the pull unpacks each as soon as its blob is stored.
    /// </summary>
    internal void UnpackLayerAt(OciDescriptor layer, Digest diffId, Digest chainId, int index, int count, IProgress<ImageProgress>? progress, CancellationToken cancellationToken)
    {
        if (!Snapshots.Exists(chainId))
        {
            UnpackLayer(layer, diffId, chainId, index, count, progress, cancellationToken);
        }
    }

    /// <summary>
    /// Deletes the given blobs and snapshots (what a failed or cancelled pull stored) that no image or container
    /// references. It needs the exclusive GC lock: when another pull or import holds a lease, nothing is deleted
    /// (that work may be about to use them) and a later prune collects them. Returns how many items went.
    /// </summary>
    internal int DiscardUnreferenced(IReadOnlyCollection<Digest> blobs, IReadOnlyCollection<Digest> snapshots)
    {
        if (blobs.Count == 0 && snapshots.Count == 0)
        {
            return 0;
        }

        FileLock gc;
        try
        {
            gc = FileLock.Acquire(Store.GcLockPath, TimeSpan.FromMilliseconds(500));
        }
        catch (TimeoutException)
        {
            _log.LogDebug("other image work holds a lease: {Count} items of the failed pull stay until a prune", blobs.Count + snapshots.Count);
            return 0;
        }

        using (gc)
        {
            // The same reference rules as the sweep of a prune, for the few items in question.
            var blobsKept = new HashSet<string>(StringComparer.Ordinal);
            var snapshotsKept = new HashSet<string>(StringComparer.Ordinal);
            foreach (var record in Store.Load())
            {
                blobsKept.UnionWith([record.Manifest, record.Config, record.Index ?? ""]);
                snapshotsKept.UnionWith(record.ChainIds);
                try
                {
                    blobsKept.UnionWith(ReadManifest(Digest.Parse(record.Manifest)).Layers.Select(l => l.Digest));
                }
                catch (ContainerEngineException e)
                {
                    _log.LogWarning("cannot read the manifest of {Manifest}: {Error}", record.Manifest, e.Message);
                    return 0;
                }
            }

            foreach (var container in ContainerRecords())
            {
                snapshotsKept.UnionWith(container.Config.ImageLayers ?? []);
            }

            var deleted = 0;
            foreach (var snapshot in snapshots.Where(s => !snapshotsKept.Contains(s.ToString())))
            {
                deleted += Snapshots.Remove(snapshot) ? 1 : 0;
            }

            foreach (var blob in blobs.Where(b => !blobsKept.Contains(b.ToString())))
            {
                deleted += Content.Delete(blob) ? 1 : 0;
            }

            _log.LogDebug("discarded {Count} blobs and snapshots of a failed pull", deleted);
            return deleted;
        }
    }
}
