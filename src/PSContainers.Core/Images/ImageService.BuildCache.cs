using PSContainers.Core.Build.Cache;

namespace PSContainers.Core.Images;

public sealed partial class ImageService
{
    /// <summary>
    /// docker builder prune: removes the build cache's steps whose top layer no image holds (every step with all), and
    /// with all the RUN cache mounts no step holds now; then sweeps the layers and blobs nothing references any more,
    /// so the bytes reported are the bytes that left the disk. until keeps steps used at or after that time.
    /// </summary>
    public BuildCachePruneResult PruneBuildCache(bool all, DateTimeOffset? until, CancellationToken cancellationToken = default)
    {
        var cache = new BuildCache(Paths);
        var imageSnapshots = Store.Load().SelectMany(r => r.ChainIds).ToHashSet(StringComparer.Ordinal);
        var deleted = new List<string>();
        foreach (var entry in cache.List().ToList())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var held = entry.Layers.Count > 0 && imageSnapshots.Contains(entry.Layers[^1].ChainId);
            if ((all || !held) && (until is null || cache.LastUsed(entry.Key) < until) && cache.Remove(entry.Key))
            {
                deleted.Add(entry.Key);
            }
        }

        long mountBytes = 0;
        if (all && until is null)
        {
            // Cache mounts carry no time of last use a step sets, so an until filter keeps them all.
            var (names, bytes) = cache.ClearMounts();
            deleted.AddRange(names);
            mountBytes = bytes;
        }

        var (_, _, _, swept) = Sweep(wait: true, cancellationToken);
        return new BuildCachePruneResult(deleted, swept + mountBytes);
    }
}
