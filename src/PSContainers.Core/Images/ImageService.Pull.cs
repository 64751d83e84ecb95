using Microsoft.Extensions.Logging;
using PSContainers.Core.Containers;
using PSContainers.Core.Images.Oci;
using PSContainers.Core.Images.Snapshots;
using PSContainers.Core.State;

namespace PSContainers.Core.Images;

/// <summary>What the registry client needs beyond Register: the layers to unpack, each unpacked while it downloads or from its blob, and clean-up after a failed pull.</summary>
public sealed partial class ImageService
{
    /// <summary>
    /// The layers of manifest that have no snapshot yet, with the diffIDs and chainIDs its config (already stored)
    /// gives; null when the manifest lists blobs that are not layers, which Register sorts out on its own. A snapshot
    /// holds only its own layer and is named by its chainID, so layers can be unpacked in any order and at once.
    /// </summary>
    internal IReadOnlyList<LayerToUnpack>? LayersToUnpack(OciManifest manifest)
    {
        if (manifest.Layers.Any(l => !(MediaTypes.IsLayer(l.MediaType) || string.IsNullOrEmpty(l.MediaType))))
        {
            return null;
        }

        var config = ReadConfig(manifest);
        var diffIds = config.RootFs.DiffIds.Select(d => Digest.TryParse(d, out var parsed, out var error) ? parsed
            : throw new ContainerEngineException("InvalidManifest", $"The image config has an invalid diffID: {error}", ContainerErrorKind.InvalidArgument, d)).ToList();
        var chainIds = SnapshotStore.ChainIds(diffIds);
        return manifest.Layers
            .Select((layer, i) => new LayerToUnpack(layer, diffIds[i], chainIds[i], i, chainIds.Count))
            .Where(l => !Snapshots.Exists(l.ChainId))
            .ToList();
    }

    /// <summary>Unpacks one layer from its stored blob unless its snapshot exists by now.</summary>
    internal void UnpackLayerAt(LayerToUnpack layer, IProgress<ImageProgress>? progress, CancellationToken cancellationToken)
    {
        if (!Snapshots.Exists(layer.ChainId))
        {
            UnpackLayer(layer.Layer, layer.DiffId, layer.ChainId, layer.Index, layer.Count, progress, cancellationToken);
        }
    }

    /// <summary>
    /// Starts unpacking a layer from the bytes of its blob as a download delivers them (see <see cref="StreamedLayerUnpack"/>).
    /// Hold <see cref="AcquireLease"/> until the image is registered: the snapshot is not referenced before that.
    /// </summary>
    internal StreamedLayerUnpack BeginStreamedUnpack(LayerToUnpack layer, CancellationToken cancellationToken) =>
        new(Snapshots, layer, _log, cancellationToken);

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
