using Microsoft.Extensions.Logging;
using PSContainers.Core.Containers;
using PSContainers.Core.State;

namespace PSContainers.Core.Images;

// Tags, removal, history, disk usage and garbage collection.
public sealed partial class ImageService
{
    /// <summary>Adds target (a name with or without a tag) to the image source names; docker tag.</summary>
    public ContainerImage Tag(string source, string target)
    {
        var reference = ImageReference.Parse(target);
        if (reference.Digest is not null)
        {
            throw ContainerEngineException.Invalid($"\"{target}\" names a digest; a tag cannot. Give repository[:tag].", target);
        }

        var name = reference.ToString();
        var manifest = Store.Update(records =>
        {
            var record = FindRecord(records, source) ?? throw NotFound(source);
            foreach (var other in records.Where(r => r != record))
            {
                other.Names.Remove(name);
            }

            if (!record.Names.Contains(name))
            {
                record.Names.Add(name);
            }

            return record.Config;
        });
        var image = Get(manifest);
        new Events.EventService(Paths).Emit(Runtime.Events.EngineEvent.Image, "tag", image.Id, new Dictionary<string, string> { ["name"] = name });
        return image;
    }

    /// <summary>
    /// docker rmi. A name (repository:tag, or repository@digest) is untagged; when no tag of that repository is left,
    /// its digest references go with it; the image itself goes only with its last reference. An id (or id prefix, or
    /// manifest digest) removes the image with all its references, which needs force when they span several
    /// repositories or tags. An image a container uses stays unless force (the containers keep their layers); one a
    /// running container uses always stays. The results say what was untagged and deleted (the image id, then each of
    /// its layers (chainIDs) nothing else uses).
    /// </summary>
    public IReadOnlyList<ImageDeleteResult> Remove(string reference, bool force, CancellationToken cancellationToken = default)
    {
        var results = new List<ImageDeleteResult>();
        var users = ContainerRecords().ToList();
        ImageRecord? deleted = null;
        var imageId = "";
        Store.Update(records =>
        {
            var record = FindRecord(records, reference) ?? throw NotFound(reference);
            imageId = record.Config.ToString();
            var asked = NamedReference(record, reference);
            List<string> untag;
            if (asked is not null)
            {
                untag = [asked];
                if (!asked.Contains('@'))
                {
                    // The repository's digest references go with its last tag (they would name an image no tag of it has).
                    var repository = RepositoryOf(asked);
                    if (!record.Names.Any(n => n != asked && RepositoryOf(n) == repository))
                    {
                        untag.AddRange(record.RepoDigests.Where(d => RepositoryOf(d) == repository));
                    }
                }

                if (record.Names.Concat(record.RepoDigests).Any(r => !untag.Contains(r)))
                {
                    Untag(record, untag, results);
                    return 0;
                }
            }
            else
            {
                untag = record.Names.Concat(record.RepoDigests).ToList();
                var repositories = untag.Select(RepositoryOf).Distinct().Count();
                if ((record.Names.Count > 1 || repositories > 1) && !force)
                {
                    throw new ContainerEngineException("ImageReferencedByMultipleNames",
                        $"Image {ShortOf(record)} is referenced in {(repositories > 1 ? "several repositories" : "several tags")} ({string.Join(", ", untag.Select(Familiar))}); remove them by name or use -Force.",
                        ContainerErrorKind.InvalidState, reference);
                }
            }

            var using_ = users.Where(c => ImageIdOf(c, records) == record.Config).ToList();
            if (using_.Count > 0)
            {
                var running = using_.Where(c => IsRunning(c.Id)).ToList();
                if (running.Count > 0)
                {
                    throw new ContainerEngineException("ImageInUse",
                        $"Image {ShortOf(record)} is used by the running container {running[0].Name}; stop and remove it first (this cannot be forced).", ContainerErrorKind.InvalidState, reference);
                }

                if (!force)
                {
                    throw new ContainerEngineException("ImageInUse",
                        $"Image {ShortOf(record)} is used by container {using_[0].Name}{(using_.Count > 1 ? $" and {using_.Count - 1} more" : "")}; remove the containers first or use -Force (they keep their layers).",
                        ContainerErrorKind.InvalidState, reference);
                }
            }

            Untag(record, record.Names.Concat(record.RepoDigests).ToList(), results);
            records.Remove(record);
            results.Add(new ImageDeleteResult("Deleted", record.Config));
            deleted = record;
            return 0;
        }, cancellationToken);
        if (deleted is not null)
        {
            var swept = Sweep(wait: false, cancellationToken).RemovedSnapshots;
            // Top layer first, as docker lists them.
            foreach (var chainId in Enumerable.Reverse(deleted.ChainIds).Where(swept.Contains))
            {
                results.Add(new ImageDeleteResult("Deleted", chainId));
            }
        }

        var events = new Events.EventService(Paths);
        foreach (var r in results.Where(r => r.Action == "Untagged"))
        {
            events.Emit(Runtime.Events.EngineEvent.Image, "untag", imageId, new Dictionary<string, string> { ["name"] = r.Target });
        }

        if (deleted is not null)
        {
            events.Emit(Runtime.Events.EngineEvent.Image, "delete", imageId, new Dictionary<string, string> { ["name"] = imageId });
        }

        return results;
    }

    /// <summary>The reference as one of record's names (a tag in Names or a repository@digest in RepoDigests), or null when it names the image otherwise (id, prefix, digest).</summary>
    private static string? NamedReference(ImageRecord record, string reference)
    {
        if (Digest.TryParse(reference.Trim(), out _) || !ImageReference.TryParse(reference.Trim(), out var parsed, out _))
        {
            return null;
        }

        if (parsed.Digest is not null)
        {
            var repoDigest = parsed.Repository + "@" + parsed.Digest;
            return record.RepoDigests.Contains(repoDigest) ? repoDigest : null;
        }

        var name = parsed.ToString();
        return record.Names.Contains(name) ? name : null;
    }

    private static void Untag(ImageRecord record, IReadOnlyCollection<string> references, List<ImageDeleteResult> results)
    {
        foreach (var reference in references)
        {
            if (record.Names.Remove(reference) | record.RepoDigests.Remove(reference))
            {
                results.Add(new ImageDeleteResult("Untagged", Familiar(reference)));
            }
        }
    }

    /// <summary>The repository of a stored tag (docker.io/library/busybox:1) or repository digest (REPO@sha256:...).</summary>
    private static string RepositoryOf(string reference)
    {
        var at = reference.IndexOf('@');
        if (at > 0)
        {
            return reference[..at];
        }

        return ImageReference.TryParse(reference, out var parsed, out _) ? parsed.Repository : reference;
    }

    /// <summary>docker history: the config's history steps, newest first, with each layer's size.</summary>
    public IReadOnlyList<ImageHistoryItem> History(string reference)
    {
        var image = Resolve(reference);
        var history = image.Config.History ?? [];
        var chainIds = image.Record.ChainIds;
        var items = new List<ImageHistoryItem>();
        var layer = 0;
        foreach (var step in history)
        {
            long size = 0;
            if (!step.EmptyLayer && layer < chainIds.Count)
            {
                size = Digest.TryParse(chainIds[layer], out var c) ? Snapshots.Info(c)?.Size ?? 0 : 0;
                layer++;
            }

            items.Add(new ImageHistoryItem
            {
                Id = "<missing>", Created = step.Created, CreatedBy = step.CreatedBy ?? "", Size = size, Comment = step.Comment ?? "",
                EmptyLayer = step.EmptyLayer,
            });
        }

        // Layers the history does not describe (images built without history) still get a line each.
        for (; layer < chainIds.Count; layer++)
        {
            items.Add(new ImageHistoryItem { Id = "<missing>", Size = Digest.TryParse(chainIds[layer], out var c) ? Snapshots.Info(c)?.Size ?? 0 : 0 });
        }

        items.Reverse();
        if (items.Count > 0)
        {
            var top = items[0];
            items[0] = new ImageHistoryItem
            {
                Id = image.Record.Config, Created = top.Created, CreatedBy = top.CreatedBy, Size = top.Size, Comment = top.Comment, EmptyLayer = top.EmptyLayer,
            };
        }

        return items;
    }

    /// <summary>
    /// docker image prune: removes dangling images (all unused ones with allUnused), then every blob and snapshot that
    /// no image or container references, and the leftovers of killed writers.
    /// </summary>
    public ImagePruneResult Prune(bool allUnused, CancellationToken cancellationToken = default) => Prune(allUnused, buildCache: false, cancellationToken);

    /// <summary>As <see cref="Prune(bool, CancellationToken)"/>; with buildCache the build cache is emptied first, so its layers go too.</summary>
    public ImagePruneResult Prune(bool allUnused, bool buildCache, CancellationToken cancellationToken = default) =>
        Prune(allUnused, buildCache, null, cancellationToken);

    /// <summary>As <see cref="Prune(bool, bool, CancellationToken)"/>, removing only the images <paramref name="matches"/> accepts (docker's label and until filters).</summary>
    public ImagePruneResult Prune(bool allUnused, bool buildCache, Func<ContainerImage, bool>? matches, CancellationToken cancellationToken = default)
    {
        if (buildCache)
        {
            new Build.Cache.BuildCache(Paths).Clear();
        }

        var containers = ContainerRecords().ToList();
        var deleted = Store.Update(records =>
        {
            var inUse = containers.Select(c => ImageIdOf(c, records)).OfType<string>().ToHashSet();
            var usage = ContainerUsage(records);
            var gone = records.Where(r => !inUse.Contains(r.Config) && (allUnused || r.Names.Count == 0)
                && (matches is null || TryLoad(r) is { } loaded && matches(ToImage(loaded, usage)))).ToList();
            foreach (var r in gone)
            {
                records.Remove(r);
            }

            return gone.Select(r => r.Config).ToList();
        }, cancellationToken);
        var (blobs, removed, temps, bytes) = Sweep(wait: true, cancellationToken);
        return new ImagePruneResult(deleted, blobs, removed.Count, temps, bytes);
    }

    /// <summary>Deletes blobs and snapshots nothing references, under the exclusive GC lock (skipped if a pull holds it and wait is false).</summary>
    private (int Blobs, HashSet<string> RemovedSnapshots, int Temporary, long Bytes) Sweep(bool wait, CancellationToken cancellationToken)
    {
        FileLock gc;
        try
        {
            gc = FileLock.Acquire(Store.GcLockPath, wait ? TimeSpan.FromMinutes(5) : TimeSpan.FromSeconds(2), cancellationToken);
        }
        catch (TimeoutException)
        {
            _log.LogDebug("a pull or import is under way: unused layers stay until the next prune");
            return (0, [], 0, 0);
        }

        using (gc)
        {
            var blobsKept = new HashSet<string>(StringComparer.Ordinal);
            var snapshotsKept = new HashSet<string>(StringComparer.Ordinal);
            foreach (var record in Store.Load())
            {
                blobsKept.Add(record.Manifest);
                blobsKept.Add(record.Config);
                if (record.Index is not null)
                {
                    blobsKept.Add(record.Index);
                }

                try
                {
                    foreach (var layer in ReadManifest(Digest.Parse(record.Manifest)).Layers)
                    {
                        blobsKept.Add(layer.Digest);
                    }
                }
                catch (ContainerEngineException e)
                {
                    _log.LogWarning("cannot read the manifest of {Manifest}: {Error}", record.Manifest, e.Message);
                }

                snapshotsKept.UnionWith(record.ChainIds);
            }

            foreach (var container in ContainerRecords())
            {
                snapshotsKept.UnionWith(container.Config.ImageLayers ?? []);
            }

            // Build cache entries hold their layers until the cache is pruned (Clear-ContainerResource -BuildCache).
            var (cacheBlobs, cacheSnapshots) = new Build.Cache.BuildCache(Paths).References();
            blobsKept.UnionWith(cacheBlobs);
            snapshotsKept.UnionWith(cacheSnapshots);

            var blobs = 0;
            var snapshots = new HashSet<string>(StringComparer.Ordinal);
            long bytes = 0;
            foreach (var blob in Content.List().ToList())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!blobsKept.Contains(blob.ToString()))
                {
                    bytes += Content.GetSize(blob) ?? 0;
                    Content.Delete(blob);
                    blobs++;
                }
            }

            foreach (var snapshot in Snapshots.List().ToList())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!snapshotsKept.Contains(snapshot.ToString()))
                {
                    bytes += Snapshots.Info(snapshot)?.Size ?? 0;
                    Snapshots.Remove(snapshot);
                    snapshots.Add(snapshot.ToString());
                }
            }

            var temps = Content.CleanStale() + Snapshots.CleanStale();
            Snapshots.CleanLinks();
            _log.LogDebug("swept {Blobs} blobs and {Snapshots} snapshots ({Bytes} bytes), {Temps} leftovers", blobs, snapshots.Count, bytes, temps);
            return (blobs, snapshots, temps, bytes);
        }
    }

    /// <summary>docker system df for images, their containers and the blob store.</summary>
    public IReadOnlyList<DiskUsageItem> DiskUsage()
    {
        var records = Store.Load();
        var containers = ContainerRecords().ToList();
        var inUse = containers.Select(c => ImageIdOf(c, records)).OfType<string>().ToHashSet();
        var usedSnapshots = containers.SelectMany(c => c.Config.ImageLayers ?? []).ToHashSet();
        usedSnapshots.UnionWith(records.Where(r => inUse.Contains(r.Config)).SelectMany(r => r.ChainIds));
        long snapshotBytes = 0, reclaimable = 0;
        foreach (var s in Snapshots.List())
        {
            var size = Snapshots.Info(s)?.Size ?? 0;
            snapshotBytes += size;
            if (!usedSnapshots.Contains(s.ToString()))
            {
                reclaimable += size;
            }
        }

        long blobBytes = 0;
        var blobCount = 0;
        foreach (var b in Content.List())
        {
            blobBytes += Content.GetSize(b) ?? 0;
            blobCount++;
        }

        long containerBytes = 0;
        var running = 0;
        foreach (var c in containers)
        {
            containerBytes += DirectorySize(Paths.UpperDir(c.Id));
            running += IsRunning(c.Id) ? 1 : 0;
        }

        var buildCache = new Build.Cache.BuildCache(Paths);
        var cache = buildCache.List().ToList();
        var (mounts, mountBytes) = buildCache.MountUsage();
        var imageSnapshots = records.SelectMany(r => r.ChainIds).ToHashSet();
        var cacheLayers = cache.Where(e => e.LayerSize > 0 && e.Layers.Count > 0).ToList();
        return
        [
            new DiskUsageItem { Type = "Images", Total = records.Count, Active = records.Count(r => inUse.Contains(r.Config)), Size = snapshotBytes, Reclaimable = reclaimable },
            new DiskUsageItem { Type = "Containers", Total = containers.Count, Active = running, Size = containerBytes, Reclaimable = 0 },
            new DiskUsageItem { Type = "Blobs", Total = blobCount, Active = blobCount, Size = blobBytes, Reclaimable = 0 },
            new Volumes.VolumeService(Paths, _log).DiskUsage(),

            // As docker system df's "Build Cache": the steps and the bytes of the layers they made, and the RUN cache mounts;
            // what no image uses is reclaimable, cache mounts included (a prune empties them).
            new DiskUsageItem
            {
                Type = "Build Cache", Total = cache.Count + mounts, Active = cacheLayers.Count(e => imageSnapshots.Contains(e.Layers[^1].ChainId)),
                Size = cacheLayers.Sum(e => e.LayerSize) + mountBytes,
                Reclaimable = cacheLayers.Where(e => !imageSnapshots.Contains(e.Layers[^1].ChainId)).Sum(e => e.LayerSize) + mountBytes,
            },
        ];
    }

    private bool IsRunning(string containerId)
    {
        var info = new ContainerService(Paths, _log).Inspect(containerId);
        return info?.Status is ContainerStatus.Running or ContainerStatus.Paused;
    }

    private static long DirectorySize(string dir)
    {
        if (!Directory.Exists(dir))
        {
            return 0;
        }

        long total = 0;
        foreach (var file in new DirectoryInfo(dir).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true }))
        {
            total += file.Length;
        }

        return total;
    }

    private static string ShortOf(ImageRecord record) => record.Config.Length > 19 ? record.Config[7..19] : record.Config;
}
