using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PSContainers.Core.Containers;
using PSContainers.Core.Images.Archive;
using PSContainers.Core.Images.Content;
using PSContainers.Core.Images.Oci;
using PSContainers.Core.Images.Snapshots;
using PSContainers.Core.State;

namespace PSContainers.Core.Images;

/// <summary>The image engine: content store, unpacked layers, names; what image cmdlets, the registry client and container creation call.</summary>
/// <remarks>
/// How the registry client (or any importer) stores an image:
/// <code>
/// using (images.AcquireLease(ct))                       // prune waits while this is held
/// {
///     await images.Content.IngestAsync(layerDigest, stream, ct, size);   // every blob: layers, config, manifest, index
///     images.Register(manifestOrIndexDigest, ["docker.io/library/busybox:latest"], platform: wanted, repoDigests: [...], progress, ct);
/// }
/// </code>
/// Register selects the platform's manifest when given an index, unpacks the layers that are not unpacked yet
/// (verifying each blob digest and diffID; a mismatch keeps nothing), then records the names atomically.
/// For a push, <see cref="Resolve"/> gives the manifest, config and index digests, and Content.OpenRead each blob.
/// </remarks>
public sealed partial class ImageService
{
    private static readonly TimeSpan LeaseTimeout = TimeSpan.FromMinutes(10);
    private readonly ILogger _log;

    public ImageService(EnginePaths? paths = null, ILogger? logger = null)
    {
        Paths = paths ?? EnginePaths.FromEnvironment();
        _log = logger ?? NullLogger.Instance;
        Content = new ContentStore(Paths.BlobsDir, Paths.IngestDir);
        Snapshots = new SnapshotStore(Paths.SnapshotsDir);
        Store = new ImageStore(Paths.ImagesDir);
    }

    public EnginePaths Paths { get; }

    public ContentStore Content { get; }

    public SnapshotStore Snapshots { get; }

    public ImageStore Store { get; }

    /// <summary>A shared hold on the store's garbage collection: blobs ingested while it is held survive a concurrent prune.</summary>
    public IDisposable AcquireLease(CancellationToken cancellationToken = default) =>
        FileLock.Acquire(Store.GcLockPath, LeaseTimeout, cancellationToken, exclusive: false);

    /// <summary>
    /// Records an image whose blobs are in the content store: selects the platform manifest from an index, unpacks
    /// missing layers, then points names (normalized references with a tag) at it, taking them from other images.
    /// </summary>
    /// <param name="digest">A manifest, or an index / manifest list from which platform picks one.</param>
    /// <param name="names">References to tag it with; a reference with only a digest goes to RepoDigests.</param>
    /// <param name="indexDigest">The index the manifest came from, when digest is already the platform's manifest.</param>
    /// <param name="repoDigests">repository@digest strings to record (the registry client passes what it pulled).</param>
    public ContainerImage Register(Digest digest, IReadOnlyCollection<string> names, Digest? indexDigest = null, PlatformSpec? platform = null,
        IReadOnlyCollection<string>? repoDigests = null, IProgress<ImageProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(digest);
        ArgumentNullException.ThrowIfNull(names);
        var (manifestDigest, selectedFrom) = SelectManifest(digest, platform ?? PlatformSpec.Default);
        indexDigest ??= selectedFrom;
        var manifest = ReadManifest(manifestDigest);
        var config = ReadConfig(manifest);
        var chainIds = EnsureUnpacked(manifest, config, progress, cancellationToken);

        var tags = new List<string>();
        var digests = new List<string>(repoDigests ?? []);
        foreach (var name in names)
        {
            var reference = ImageReference.Parse(name);
            if (reference.Tag is null)
            {
                digests.Add(reference.Repository + "@" + (reference.Digest ?? manifestDigest.ToString()));
            }
            else
            {
                tags.Add(reference.Digest is null ? reference.ToString() : reference.WithTag(reference.Tag).ToString());
            }
        }

        // Keyed by the image id (the config digest), as docker keys images: the same image under another manifest
        // (another registry's, other layer compression, re-imported from an archive) is the same record.
        var key = manifest.Config.Digest;
        var manifestKey = manifestDigest.ToString();
        Store.Update(records =>
        {
            foreach (var other in records.Where(r => r.Config != key))
            {
                other.Names.RemoveAll(tags.Contains);
            }

            var record = records.FirstOrDefault(r => r.Config == key);
            if (record is null)
            {
                record = new ImageRecord { Config = key, Manifest = manifestKey, Index = indexDigest?.ToString(), Added = DateTimeOffset.UtcNow };
                records.Add(record);
            }
            else if (record.Manifest == manifestKey)
            {
                record.Index ??= indexDigest?.ToString();
            }
            else
            {
                foreach (var other in new[] { manifestKey, indexDigest?.ToString() })
                {
                    if (other is not null && !record.HasManifest(other))
                    {
                        record.OtherManifests.Add(other);
                    }
                }
            }

            record.ChainIds = chainIds.Select(c => c.ToString()).ToList();
            foreach (var tag in tags.Where(t => !record.Names.Contains(t)))
            {
                record.Names.Add(tag);
            }

            foreach (var d in digests.Where(d => !record.RepoDigests.Contains(d)))
            {
                record.RepoDigests.Add(d);
            }

            return record;
        }, cancellationToken);
        _log.LogDebug("registered {Id} ({Manifest}) as {Names}", key, manifestKey, string.Join(", ", tags));
        return Get(key);
    }

    /// <summary>The manifest to use for digest: digest itself if it is a manifest, else the index entry for platform.</summary>
    public (Digest Manifest, Digest? Index) SelectManifest(Digest digest, PlatformSpec platform)
    {
        var bytes = Content.ReadAllBytes(digest);
        var probe = Deserialize(bytes, OciJsonContext.Default.ManifestProbe, digest);
        if (!MediaTypes.IsIndex(probe.MediaType) && probe.Manifests is null)
        {
            return (digest, null);
        }

        var index = ParseIndex(bytes, digest);
        var chosen = platform.Select(index.Manifests.Where(m => MediaTypes.IsManifest(m.MediaType) || string.IsNullOrEmpty(m.MediaType)))
            ?? throw new ContainerEngineException("PlatformNotFound",
                $"The image index {digest} has no manifest for {platform}; it has {string.Join(", ", index.Manifests.Where(m => m.Platform is not null).Select(m => m.Platform!.ToString()).Distinct())}. Choose one with -Platform.",
                ContainerErrorKind.NotFound, digest.ToString());
        return (chosen.ParsedDigest, digest);
    }

    public OciManifest ReadManifest(Digest digest) => ParseManifest(Content.ReadAllBytes(digest), digest);

    public OciIndex ReadIndex(Digest digest) => ParseIndex(Content.ReadAllBytes(digest), digest);

    /// <summary>
    /// An image manifest from untrusted bytes: schema 2, a config and a layer list whose digests parse. JSON nulls
    /// ("config": null) get past the serializer into non-nullable members, so they are checked here, once.
    /// </summary>
    internal static OciManifest ParseManifest(byte[] bytes, Digest digest)
    {
        var manifest = Deserialize(bytes, OciJsonContext.Default.OciManifest, digest);
        if (manifest.SchemaVersion != 2 || manifest.Config is null || string.IsNullOrEmpty(manifest.Config.Digest) || manifest.Layers is null
            || manifest.Layers.Any(l => l is null) || !Digest.TryParse(manifest.Config.Digest, out _) || manifest.Layers.Any(l => !Digest.TryParse(l.Digest, out _)))
        {
            throw new ContainerEngineException("InvalidManifest", $"{digest} is not an image manifest (schema 2 with a config and layers, each with a valid digest).",
                ContainerErrorKind.InvalidArgument, digest.ToString());
        }

        return manifest;
    }

    /// <summary>An image config from untrusted bytes: a rootfs with valid diffIDs, and no null inside the lists a container is made from.</summary>
    internal static ImageConfig ParseConfig(byte[] bytes, Digest digest)
    {
        var config = Deserialize(bytes, OciJsonContext.Default.ImageConfig, digest);
        var run = config.Config;
        if (config.RootFs?.DiffIds is null || config.RootFs.DiffIds.Any(d => !Digest.TryParse(d, out _))
            || new[] { run?.Env, run?.Entrypoint, run?.Cmd, run?.Shell, run?.OnBuild }.Any(list => list?.Contains(null!) == true))
        {
            throw new ContainerEngineException("InvalidManifest", $"{digest} is not an image config (a rootfs with valid diffIDs, lists of strings without nulls).",
                ContainerErrorKind.InvalidArgument, digest.ToString());
        }

        return config;
    }

    /// <summary>An image index from untrusted bytes: a list of manifests whose digests parse.</summary>
    internal static OciIndex ParseIndex(byte[] bytes, Digest digest)
    {
        var index = Deserialize(bytes, OciJsonContext.Default.OciIndex, digest);
        if (index.Manifests is null || index.Manifests.Any(m => m is null || !Digest.TryParse(m.Digest, out _)))
        {
            throw new ContainerEngineException("InvalidManifest", $"{digest} is not an image index (a list of manifests, each with a valid digest).",
                ContainerErrorKind.InvalidArgument, digest.ToString());
        }

        return index;
    }

    public ImageConfig ReadConfig(OciManifest manifest)
    {
        var digest = manifest.Config.ParsedDigest;
        var config = ParseConfig(Content.ReadAllBytes(digest), digest);
        var layers = manifest.Layers.Where(l => MediaTypes.IsLayer(l.MediaType) || string.IsNullOrEmpty(l.MediaType)).ToList();
        if (layers.Count != config.RootFs.DiffIds.Count)
        {
            throw new ContainerEngineException("InvalidManifest",
                $"The manifest lists {layers.Count} layers but the image config {digest} has {config.RootFs.DiffIds.Count} diffIDs.", ContainerErrorKind.InvalidArgument, digest.ToString());
        }

        return config;
    }

    /// <summary>Unpacks every layer of an image that has no snapshot yet; returns the chainIDs bottom first.</summary>
    public List<Digest> EnsureUnpacked(OciManifest manifest, ImageConfig config, IProgress<ImageProgress>? progress, CancellationToken cancellationToken)
    {
        var diffIds = config.RootFs.DiffIds.Select(d => Digest.TryParse(d, out var p, out var e) ? p
            : throw new ContainerEngineException("InvalidManifest", $"The image config has an invalid diffID: {e}", ContainerErrorKind.InvalidArgument, d)).ToList();
        var chainIds = SnapshotStore.ChainIds(diffIds);
        for (var i = 0; i < chainIds.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Snapshots.Exists(chainIds[i]))
            {
                continue;
            }

            UnpackLayer(manifest.Layers[i], diffIds[i], chainIds[i], i, chainIds.Count, progress, cancellationToken);
        }

        return chainIds;
    }

    private void UnpackLayer(OciDescriptor layer, Digest diffId, Digest chainId, int index, int count, IProgress<ImageProgress>? progress, CancellationToken cancellationToken)
    {
        var blob = layer.ParsedDigest;
        var (temp, lockFd) = Snapshots.BeginTemp();
        try
        {
            var activity = $"Unpacking layer {index + 1} of {count}";
            var total = Content.GetSize(blob) ?? throw new ContainerEngineException("ContentNotFound",
                $"The layer blob {blob} is not in the content store.", ContainerErrorKind.NotFound, blob.ToString());
            var bytes = progress is null ? null : new Progress<long>(done => progress.Report(new ImageProgress(activity, blob.Short, done, total)));
            LayerUnpackResult result;
            using (var stream = Content.OpenRead(blob))
            {
                result = LayerUnpacker.Unpack(stream, Path.Combine(temp, "fs"), blob, diffId, _log, bytes, cancellationToken);
            }

            Snapshots.Commit(temp, chainId, new SnapshotInfo
            {
                ChainId = chainId.ToString(), DiffId = diffId.ToString(), Blob = blob.ToString(), Size = result.Size, Entries = result.Entries, TarSize = result.TarBytes,
                Created = DateTimeOffset.UtcNow,
            });
        }
        finally
        {
            Snapshots.EndTemp(temp, lockFd);
        }
    }

    /// <summary>An image by name (busybox, busybox:1.36, localhost:5000/app), id, id prefix (4+ hex) or digest; null when none matches.</summary>
    public ResolvedImage? TryResolve(string reference)
    {
        var record = FindRecord(Store.Load(), reference);
        return record is null ? null : Load(record);
    }

    /// <summary>The image a reference, id or digest names; a reference that can name no image at all is InvalidReference, not ImageNotFound.</summary>
    public ResolvedImage Resolve(string reference)
    {
        if (TryResolve(reference) is { } image)
        {
            return image;
        }

        // Ids and (partial) digests are not references: only what is neither can be malformed.
        if (!reference.StartsWith(Digest.Sha256 + ":", StringComparison.Ordinal) && !ImageReference.TryParse(reference, out _, out _))
        {
            ImageReference.Parse(reference);
        }

        throw NotFound(reference);
    }

    /// <summary>
    /// An image as docker image inspect shows it. Asked by one of its names, the object stands for that name (its
    /// Name, Repository and Tag), as the row of docker images NAME would; otherwise for its first name.
    /// </summary>
    public ContainerImage Get(string reference)
    {
        var records = Store.Load();
        var record = FindRecord(records, reference) ?? throw NotFound(reference);
        var image = ToImage(Load(record), ContainerUsage(records));
        return ImageReference.TryParse(reference, out var parsed, out _) && parsed.Digest is null && record.Names.Contains(parsed.ToString())
            ? image.WithName(parsed.FamiliarName)
            : image;
    }

    /// <summary>Every image once, newest first, standing for its first name (Get-ContainerImage lists <see cref="ListNames"/>).</summary>
    public IReadOnlyList<ContainerImage> List()
    {
        var records = Store.Load();
        var usage = ContainerUsage(records);
        return records
            .Select(r => TryLoad(r))
            .Where(r => r is not null)
            .Select(r => ToImage(r!, usage))
            .OrderByDescending(i => i.Created ?? DateTimeOffset.MinValue)
            .ToList();
    }

    /// <summary>
    /// docker images: one entry per name (repository:tag), newest image first, so an image with three names shows three
    /// times; an image without a name shows once, as &lt;none&gt;.
    /// </summary>
    public IReadOnlyList<ContainerImage> ListNames() =>
        List().SelectMany(i => i.RepoTags.Count == 0 ? [i.WithName(null)] : i.RepoTags.Select(i.WithName)).ToList();

    private ResolvedImage Load(ImageRecord record)
    {
        var manifest = ReadManifest(Digest.Parse(record.Manifest));
        return new ResolvedImage(record, manifest, ReadConfig(manifest));
    }

    private ResolvedImage? TryLoad(ImageRecord record)
    {
        try
        {
            return Load(record);
        }
        catch (ContainerEngineException e)
        {
            _log.LogWarning("image {Manifest} is damaged and is skipped: {Error}", record.Manifest, e.Message);
            return null;
        }
    }

    internal static ImageRecord? FindRecord(IReadOnlyList<ImageRecord> records, string reference)
    {
        if (string.IsNullOrWhiteSpace(reference))
        {
            throw ContainerEngineException.Invalid("An image reference must not be empty.");
        }

        var text = reference.Trim();
        if (Digest.TryParse(text, out var digest))
        {
            var d = digest.ToString();
            return records.FirstOrDefault(r => r.Config == d) ?? records.FirstOrDefault(r => r.HasManifest(d));
        }

        if (ImageReference.TryParse(text, out var parsed, out _))
        {
            if (parsed.Digest is not null)
            {
                return records.FirstOrDefault(r => r.RepoDigests.Contains(parsed.Repository + "@" + parsed.Digest)) ?? records.FirstOrDefault(r => r.HasManifest(parsed.Digest));
            }

            var name = parsed.ToString();
            if (records.FirstOrDefault(r => r.Names.Contains(name)) is { } byName)
            {
                return byName;
            }
        }

        var hex = text.StartsWith("sha256:", StringComparison.Ordinal) ? text[7..] : text;
        if (hex.Length >= 4 && hex.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f'))
        {
            var matches = records.Where(r => r.Config.StartsWith("sha256:" + hex, StringComparison.Ordinal)).ToList();
            if (matches.Select(m => m.Config).Distinct().Count() > 1)
            {
                throw new ContainerEngineException("AmbiguousImageReference",
                    $"\"{reference}\" matches {matches.Count} images; give more characters of the id.", ContainerErrorKind.InvalidArgument, reference);
            }

            return matches.FirstOrDefault();
        }

        return null;
    }

    private ContainerImage ToImage(ResolvedImage image, IReadOnlyDictionary<string, int> usage)
    {
        var record = image.Record;
        var size = 0L;
        foreach (var chain in record.ChainIds)
        {
            size += Digest.TryParse(chain, out var c) ? Snapshots.Info(c)?.Size ?? 0 : 0;
        }

        return new ContainerImage
        {
            Id = record.Config,
            Names = record.Names.ToList(),
            RepoTags = record.Names.Select(n => ImageReference.Parse(n).FamiliarName).ToList(),
            RepoDigests = record.RepoDigests.Select(Familiar).ToList(),
            ManifestDigest = record.Manifest,
            IndexDigest = record.Index,
            Digests = new[] { record.Manifest, record.Index }.Concat(record.OtherManifests).OfType<string>().ToList(),
            Created = image.Config.Created,
            Size = size,
            Architecture = image.Config.Architecture,
            Os = image.Config.Os,
            Variant = image.Config.Variant,
            Author = image.Config.Author,
            Config = image.Config.Config ?? new ImageRunConfig(),
            Layers = image.Config.RootFs.DiffIds.ToList(),
            Labels = image.Config.Config?.Labels ?? new Dictionary<string, string>(),
            Containers = usage.GetValueOrDefault(record.Config),
        }.WithName(record.Names.Count == 0 ? null : ImageReference.Parse(record.Names[0]).FamiliarName);
    }

    /// <summary>A stored reference (repository:tag or repository@digest) in docker's short form.</summary>
    private static string Familiar(string reference)
    {
        if (!ImageReference.TryParse(reference, out var r, out _))
        {
            return reference;
        }

        var at = reference.IndexOf('@');
        return at > 0 ? r.FamiliarRepository + reference[at..] : r.FamiliarName;
    }

    /// <summary>How many containers use each image, by image id.</summary>
    private Dictionary<string, int> ContainerUsage(IReadOnlyList<ImageRecord> records)
    {
        var usage = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var container in ContainerRecords())
        {
            if (ImageIdOf(container, records) is { } id)
            {
                usage[id] = usage.GetValueOrDefault(id) + 1;
            }
        }

        return usage;
    }

    /// <summary>The id of the image a container was made from (containers recorded before ImageId, by their manifest).</summary>
    private static string? ImageIdOf(StoredContainer container, IReadOnlyList<ImageRecord> records) =>
        container.Config.ImageId is { Length: > 0 } id ? id
        : container.Config.ImageManifest is { } manifest ? records.FirstOrDefault(r => r.HasManifest(manifest))?.Config
        : null;

    private IEnumerable<StoredContainer> ContainerRecords()
    {
        var store = new ContainerStore(Paths);
        foreach (var id in store.Ids())
        {
            if (store.TryLoad(id) is { } record)
            {
                yield return record;
            }
        }
    }

    internal static T Deserialize<T>(byte[] bytes, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, Digest digest)
    {
        try
        {
            return JsonSerializer.Deserialize(bytes, type) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new ContainerEngineException("InvalidManifest", $"The blob {digest} is not a valid {typeof(T).Name} document: {e.Message}", ContainerErrorKind.InvalidArgument, digest.ToString(), e);
        }
    }

    internal static ContainerEngineException NotFound(string reference) =>
        new("ImageNotFound", $"No image has the name, id or digest \"{reference}\". Get-ContainerImage lists the images; Import-ContainerImage or Receive-ContainerImage brings one in.",
            ContainerErrorKind.NotFound, reference);
}
