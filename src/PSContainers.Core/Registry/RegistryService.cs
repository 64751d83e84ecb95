using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PSContainers.Core.Containers;
using PSContainers.Core.Images;
using PSContainers.Core.Images.Content;
using PSContainers.Core.Images.Oci;
using PSContainers.Core.State;

namespace PSContainers.Core.Registry;

/// <summary>
/// Pull, push, login and logout: what Receive-/Publish-ContainerImage and Connect-/Disconnect-ContainerRegistry call.
/// Blobs go through the image service's content store (verified, atomic), images are registered (and unpacked) there.
/// </summary>
public sealed class RegistryService
{
    private readonly ILogger _log;

    public RegistryService(ImageService? images = null, RegistriesConfig? registries = null, RegistryAuthFile? authFile = null,
        RegistryClientOptions? options = null, ILogger? logger = null)
    {
        _log = logger ?? NullLogger.Instance;
        Images = images ?? new ImageService(EnginePaths.FromEnvironment(), _log);
        Registries = registries ?? RegistriesConfig.Load(RegistriesConfig.DefaultPath(Images.Paths));
        AuthFile = authFile ?? RegistryAuthFile.FromEnvironment();
        Options = options ?? RegistryClientOptions.Default;
        foreach (var warning in Registries.Warnings)
        {
            _log.LogDebug("{Warning}", warning);
        }
    }

    public ImageService Images { get; }

    public RegistriesConfig Registries { get; }

    public RegistryAuthFile AuthFile { get; }

    public RegistryClientOptions Options { get; }

    /// <summary>
    /// Pulls an image (by tag or digest; short names through the search registries, mirrors first), stores every blob
    /// verified, and registers it under the reference, unpacked. With allPlatforms every manifest of an index is
    /// fetched (so the image can be pushed as the same index); platform picks the one registered.
    /// </summary>
    public async Task<ContainerImage> PullAsync(string reference, PlatformSpec? platform = null, RegistryCredential? credential = null, bool allPlatforms = false,
        IProgress<TransferProgress>? progress = null, IProgress<ImageProgress>? unpackProgress = null, CancellationToken cancellationToken = default)
    {
        platform ??= PlatformSpec.Default;
        var blobsBefore = Images.Content.List().ToHashSet();
        var snapshotsBefore = Images.Snapshots.List().ToHashSet();
        ContainerImage image;
        FetchedImage fetched;
        // Held from the first blob to the image record, so a concurrent prune cannot take blobs nothing references yet.
        var lease = Images.AcquireLease(cancellationToken);
        try
        {
            fetched = await FetchAsync(reference, platform, credential, allPlatforms, progress, unpack: true, unpackProgress, cancellationToken).ConfigureAwait(false);
            var names = new List<string> { fetched.Name.Digest is null ? fetched.Name.ToString() : fetched.Name.Repository + "@" + fetched.Name.Digest };
            if (fetched.Name.Digest is not null && fetched.Name.Tag is not null)
            {
                names.Add(fetched.Name.Repository + ":" + fetched.Name.Tag);
            }

            image = Images.Register(fetched.ManifestDigest, names, fetched.IndexDigest, platform,
                [$"{fetched.Name.Repository}@{fetched.TopDigest}"], unpackProgress, cancellationToken);
            lease.Dispose();
        }
        catch
        {
            // A failed or cancelled pull keeps nothing: what it stored goes unless something else uses it by now.
            lease.Dispose();
            Images.DiscardUnreferenced(
                Images.Content.List().Where(b => !blobsBefore.Contains(b)).ToList(),
                Images.Snapshots.List().Where(s => !snapshotsBefore.Contains(s)).ToList());
            throw;
        }

        _log.LogInformation("Pulled {Reference}: {Digest}", fetched.Name, fetched.TopDigest);
        new Events.EventService(Images.Paths).Emit(Runtime.Events.EngineEvent.Image, "pull", fetched.Name.ToString(), new Dictionary<string, string> { ["name"] = fetched.Name.ToString() });
        return image;
    }

    /// <summary>
    /// The download half of a pull: manifests and blobs into the content store, verified, without unpacking or naming
    /// anything (what containerd calls a fetch). Hold <see cref="ImageService.AcquireLease"/> until the blobs are referenced.
    /// </summary>
    public Task<FetchedImage> FetchAsync(string reference, PlatformSpec? platform = null, RegistryCredential? credential = null, bool allPlatforms = false,
        IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default) =>
        FetchAsync(reference, platform, credential, allPlatforms, progress, unpack: false, null, cancellationToken);

    private async Task<FetchedImage> FetchAsync(string reference, PlatformSpec? platform, RegistryCredential? credential, bool allPlatforms,
        IProgress<TransferProgress>? progress, bool unpack, IProgress<ImageProgress>? unpackProgress, CancellationToken cancellationToken)
    {
        var wanted = ImageReference.Parse(reference);
        var candidates = Registries.ResolveShortName(wanted);
        using var client = new RegistryClient(Registries, AuthFile, Options, _log);
        using var lease = Images.AcquireLease(cancellationToken);
        ContainerEngineException? last = null;
        foreach (var candidate in candidates)
        {
            foreach (var source in Registries.PullSources(candidate))
            {
                try
                {
                    return await FetchFromAsync(client, candidate, source, platform ?? PlatformSpec.Default, credential, allPlatforms, progress, unpack, unpackProgress, cancellationToken)
                        .ConfigureAwait(false);
                }
                catch (ContainerEngineException e) when (source.IsMirror || candidates.Count > 1 && e.ErrorId is "ImageNotFound" or "RegistryUnavailable" or "RegistryAuthenticationFailed")
                {
                    _log.LogWarning("{Source}: {Problem}; trying the next source", source.Reference, e.Message);
                    last = e;
                }
            }
        }

        if (candidates.Count > 1)
        {
            throw new ContainerEngineException("ImageNotFound",
                $"The short name {reference} was not found in any search registry ({string.Join(", ", candidates)}); last problem: {last?.Message}",
                ContainerErrorKind.NotFound, reference, last);
        }

        throw last ?? RegistryErrors.ImageNotFound(reference, "no registry to pull it from.");
    }

    private async Task<FetchedImage> FetchFromAsync(RegistryClient client, ImageReference name, PullSource source, PlatformSpec platform, RegistryCredential? credential,
        bool allPlatforms, IProgress<TransferProgress>? progress, bool unpack, IProgress<ImageProgress>? unpackProgress, CancellationToken cancellationToken)
    {
        _log.LogInformation("Pulling {Reference} from {Source}", name, source.Reference);
        var repository = await client.OpenAsync(source.Reference, source.Insecure, push: false, credential, cancellationToken).ConfigureAwait(false);
        var top = await repository.GetManifestAsync(source.Reference.Digest ?? source.Reference.Tag!, cancellationToken).ConfigureAwait(false);
        var topDigest = Images.Content.Ingest(top.Bytes, Digest.Parse(top.Digest));
        var manifests = new List<(Digest Digest, OciManifest Manifest)>();
        Digest? indexDigest = null;
        if (MediaTypes.IsIndex(top.MediaType))
        {
            indexDigest = topDigest;
            var index = ImageService.ParseIndex(top.Bytes, topDigest);
            var runnable = index.Manifests.Where(m => MediaTypes.IsManifest(m.MediaType) || string.IsNullOrEmpty(m.MediaType)).ToList();
            var chosen = platform.Select(runnable) ?? throw new ContainerEngineException("PlatformNotFound",
                $"{name} has no image for {platform}; it has {string.Join(", ", runnable.Where(m => m.Platform is not null).Select(m => m.Platform!.ToString()).Distinct())}. Choose one with -Platform.",
                ContainerErrorKind.NotFound, name.ToString());
            foreach (var entry in allPlatforms ? runnable.OrderByDescending(m => m == chosen).ToList() : [chosen])
            {
                var child = await repository.GetManifestAsync(entry.Digest, cancellationToken).ConfigureAwait(false);
                var childDigest = Images.Content.Ingest(child.Bytes, entry.ParsedDigest);
                manifests.Add((childDigest, ImageService.ParseManifest(child.Bytes, childDigest)));
            }
        }
        else if (MediaTypes.IsManifest(top.MediaType))
        {
            manifests.Add((topDigest, ImageService.ParseManifest(top.Bytes, topDigest)));
        }
        else
        {
            throw new ContainerEngineException("UnsupportedManifest",
                $"{source.Reference} is a {top.MediaType}, not an OCI or Docker schema 2 image (schema 1 manifests are not supported).",
                ContainerErrorKind.InvalidArgument, name.ToString());
        }

        var blobs = manifests
            .SelectMany(m => new[] { m.Manifest.Config }.Concat(m.Manifest.Layers))
            .GroupBy(d => d.Digest, StringComparer.Ordinal)
            .Select(g => g.First())
            .ToList();
        if (!unpack)
        {
            await DownloadBlobsAsync(repository, name, blobs, progress, null, null, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // The config first: its diffIDs name the snapshots (chainIDs), so every layer can then be unpacked while it
            // downloads, all of them at once.
            var main = manifests[0].Manifest;
            await DownloadBlobsAsync(repository, name, [main.Config], progress, null, null, cancellationToken).ConfigureAwait(false);
            var layers = Images.LayersToUnpack(main);
            await DownloadBlobsAsync(repository, name, blobs.Where(b => b.Digest != main.Config.Digest).ToList(), progress, layers, unpackProgress, cancellationToken)
                .ConfigureAwait(false);
        }

        return new FetchedImage(name, topDigest, manifests[0].Digest, indexDigest, source.Reference.ToString(), manifests.Select(m => m.Digest).ToList());
    }

    /// <summary>
    /// Downloads the blobs the store lacks, a few at once. A blob that is one of layers is unpacked while it downloads
    /// (streamed into its snapshot); a layer whose blob is already stored, or a second layer with the same blob, is
    /// unpacked from the stored blob. The first failure stops the rest and is the one reported.
    /// </summary>
    private async Task DownloadBlobsAsync(RegistryRepository repository, ImageReference name, IReadOnlyList<OciDescriptor> blobs,
        IProgress<TransferProgress>? progress, IReadOnlyList<LayerToUnpack>? layers, IProgress<ImageProgress>? unpackProgress, CancellationToken cancellationToken)
    {
        var toUnpack = (layers ?? []).GroupBy(l => l.Layer.Digest, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var slots = new SemaphoreSlim(Math.Max(1, Options.MaxParallelTransfers));
        using var unpackSlots = new SemaphoreSlim(Math.Clamp(Environment.ProcessorCount, 1, 4));
        var tasks = blobs.Select(async blob =>
        {
            var pending = toUnpack.GetValueOrDefault(blob.Digest) ?? [];
            try
            {
                if (Images.Content.Exists(blob.ParsedDigest))
                {
                    progress?.Report(new TransferProgress(blob.Digest, blob.Size, blob.Size, TransferState.AlreadyExists));
                }
                else
                {
                    progress?.Report(new TransferProgress(blob.Digest, 0, blob.Size, TransferState.Waiting));
                    await DownloadBlobAsync(repository, name, blob, pending.Count > 0 ? pending[0] : null, slots, progress, failed.Token).ConfigureAwait(false);
                    pending = pending.Skip(1).ToList();
                }

                foreach (var layer in pending)
                {
                    await unpackSlots.WaitAsync(failed.Token).ConfigureAwait(false);
                    try
                    {
                        await Task.Run(() => Images.UnpackLayerAt(layer, unpackProgress, failed.Token), CancellationToken.None).ConfigureAwait(false);
                    }
                    finally
                    {
                        unpackSlots.Release();
                    }
                }
            }
            catch
            {
                // One broken blob or layer fails the pull: the others stop instead of finishing for nothing.
                await failed.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }).ToList();
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The first real failure is the one to report, not the cancellations it caused.
            var real = tasks.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault(e => e is not OperationCanceledException);
            if (real is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(real);
            }

            throw;
        }
    }

    /// <summary>
    /// One blob into the content store, verified; with layer set, unpacked into its snapshot from the same bytes as they
    /// arrive. The blob digest is checked before the unpack's outcome counts, so corrupt bytes are reported as
    /// DigestMismatch whatever they did to the unpack; the blob is stored and the snapshot committed only when both
    /// checks pass, otherwise neither is kept.
    /// </summary>
    /// <remarks>A transfer slot is held for the download only: the end of an unpack (a small layer of many files may take
    /// longer than its transfer) must not keep the next blob waiting.</remarks>
    private async Task DownloadBlobAsync(RegistryRepository repository, ImageReference name, OciDescriptor blob, LayerToUnpack? layer,
        SemaphoreSlim slots, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        ContentWriter? writer = null;
        StreamedLayerUnpack? unpack = null;
        try
        {
            try
            {
                writer = Images.Content.OpenWriter(blob.ParsedDigest, blob.Size);
                unpack = layer is null ? null : Images.BeginStreamedUnpack(layer, cancellationToken);
                Stream destination = unpack is null ? writer : new LayerTeeStream(writer, unpack);
                await repository.DownloadBlobAsync(blob.Digest, blob.Size, destination, verify: false, progress, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                slots.Release();
            }

            progress?.Report(new TransferProgress(blob.Digest, blob.Size, blob.Size, TransferState.Verifying));
            try
            {
                writer.Verify();
            }
            catch (ContainerEngineException e) when (e.ErrorId is "DigestMismatch" or "ContentSizeMismatch")
            {
                throw new ContainerEngineException("DigestMismatch",
                    $"The blob {blob.Digest} of {name.Repository} from {repository.Domain} is corrupt: {e.Message}", ContainerErrorKind.InvalidData, name.ToString(), e);
            }

            if (unpack is not null)
            {
                progress?.Report(new TransferProgress(blob.Digest, unpack.Consumed, blob.Size, TransferState.Unpacking));
                var result = await unpack.CompleteAsync().ConfigureAwait(false);
                writer.Commit();
                unpack.Commit(result);
            }
            else
            {
                writer.Commit();
            }

            progress?.Report(new TransferProgress(blob.Digest, blob.Size, blob.Size, TransferState.Complete));
        }
        finally
        {
            unpack?.Dispose();
            writer?.Dispose();
        }
    }

    /// <summary>
    /// Pushes a stored image to its own name or to destination: blobs the registry lacks are mounted from another
    /// repository of the same registry when one of the image's names is there, else uploaded; then the manifest, and
    /// when the image came from an index whose every manifest is stored, those manifests and the index.
    /// </summary>
    public async Task<ImagePushResult> PushAsync(string source, string? destination = null, RegistryCredential? credential = null,
        IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var image = Images.Resolve(source);
        ImageReference target;
        if (destination is not null)
        {
            target = ImageReference.Parse(destination);
        }
        else if (ImageReference.TryParse(source, out var named, out _) && image.Record.Names.Contains(named.ToString()))
        {
            target = named;
        }
        else
        {
            target = image.Record.Names.Count == 1 ? ImageReference.Parse(image.Record.Names[0])
                : throw new ContainerEngineException("InvalidReference",
                    $"{source} does not name one repository to push to ({(image.Record.Names.Count == 0 ? "it has no name" : string.Join(", ", image.Record.Names))}); use -Destination.",
                    ContainerErrorKind.InvalidArgument, source);
        }

        var where = Registries.PushTarget(target);
        using var client = new RegistryClient(Registries, AuthFile, Options, _log);
        var repository = await client.OpenAsync(where.Reference, where.Insecure, push: true, credential, cancellationToken).ConfigureAwait(false);
        var mountFrom = image.Record.Names.Concat(image.Record.RepoDigests)
            .Select(n => ImageReference.TryParse(n, out var r, out _) ? r : null)
            .Where(r => r is not null && r.Domain == where.Reference.Domain && r.Path != where.Reference.Path)
            .Select(r => r!.Path)
            .Distinct()
            .ToList();

        // The index is pushed whole only when every platform's manifest and blobs are here (a pull with -AllPlatforms).
        var manifests = new List<Digest> { image.ManifestDigest };
        OciIndex? index = null;
        if (image.IndexDigest is { } indexDigest && Images.Content.Exists(indexDigest))
        {
            index = Images.ReadIndex(indexDigest);
            var children = index.Manifests.Select(m => m.ParsedDigest).ToList();
            if (children.All(d => Images.Content.Exists(d) && HasAllBlobs(Images.ReadManifest(d))))
            {
                manifests = children;
            }
            else
            {
                _log.LogInformation("{Index} lists platforms whose content is not stored: pushing only {Manifest}", indexDigest, image.ManifestDigest);
                index = null;
            }
        }

        var blobs = manifests.Select(Images.ReadManifest)
            .SelectMany(m => new[] { m.Config }.Concat(m.Layers))
            .GroupBy(d => d.Digest, StringComparer.Ordinal)
            .Select(g => g.First())
            .ToList();
        var states = new System.Collections.Concurrent.ConcurrentBag<TransferState>();
        using (var slots = new SemaphoreSlim(Math.Max(1, Options.MaxParallelTransfers)))
        {
            await Task.WhenAll(blobs.Select(async blob =>
            {
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    states.Add(await repository.PushBlobAsync(blob.Digest, blob.Size, () => Images.Content.OpenRead(blob.ParsedDigest), mountFrom, progress, cancellationToken)
                        .ConfigureAwait(false));
                }
                finally
                {
                    slots.Release();
                }
            })).ConfigureAwait(false);
        }

        var tag = where.Reference.Tag ?? where.Reference.Digest!;
        string pushed;
        if (index is null)
        {
            var bytes = Images.Content.ReadAllBytes(image.ManifestDigest);
            pushed = await repository.PutManifestAsync(tag, bytes, MediaTypeOf(bytes, isIndex: false), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            foreach (var child in manifests)
            {
                var bytes = Images.Content.ReadAllBytes(child);
                await repository.PutManifestAsync(child.ToString(), bytes, MediaTypeOf(bytes, isIndex: false), cancellationToken).ConfigureAwait(false);
            }

            var indexBytes = Images.Content.ReadAllBytes(image.IndexDigest!);
            pushed = await repository.PutManifestAsync(tag, indexBytes, MediaTypeOf(indexBytes, isIndex: true), cancellationToken).ConfigureAwait(false);
        }

        _log.LogInformation("Pushed {Reference}: {Digest}", where.Reference, pushed);
        new Events.EventService(Images.Paths).Emit(Runtime.Events.EngineEvent.Image, "push", target.ToString(), new Dictionary<string, string> { ["name"] = target.ToString() });
        return new ImagePushResult
        {
            Reference = target.ToString(),
            Digest = pushed,
            Manifests = manifests.Count,
            BlobsUploaded = states.Count(s => s == TransferState.Complete),
            BlobsMounted = states.Count(s => s == TransferState.Mounted),
            BlobsExisting = states.Count(s => s == TransferState.AlreadyExists),
            Bytes = blobs.Sum(b => b.Size),
        };
    }

    /// <summary>Checks the login against the registry, then stores it in auth.json; returns what was stored.</summary>
    public async Task<RegistryLogin> LoginAsync(string registry, RegistryCredential credential, CancellationToken cancellationToken = default)
    {
        var key = RegistryAuthFile.StoreKey(registry);
        var domain = key.Contains('/') ? key[..key.IndexOf('/')] : key;
        using (var client = new RegistryClient(Registries, null, Options, _log))
        {
            await client.VerifyLoginAsync(domain, credential, cancellationToken).ConfigureAwait(false);
        }

        AuthFile.Store(key, credential);
        _log.LogInformation("Login to {Registry} as {User} stored in {File}", key, credential.UserName, AuthFile.Path);
        return new RegistryLogin(key, credential.UserName, AuthFile.Path);
    }

    /// <summary>Checks a login against the registry without storing it (the Docker API's /auth: the client keeps its own).</summary>
    public async Task VerifyLoginAsync(string registry, RegistryCredential credential, CancellationToken cancellationToken = default)
    {
        var key = RegistryAuthFile.StoreKey(registry);
        var domain = key.Contains('/') ? key[..key.IndexOf('/')] : key;
        using var client = new RegistryClient(Registries, null, Options, _log);
        await client.VerifyLoginAsync(domain, credential, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the stored login for registry (or every login when registry is null); returns the keys removed.</summary>
    public IReadOnlyList<string> Logout(string? registry)
    {
        var keys = registry is null ? AuthFile.Keys() : [RegistryAuthFile.StoreKey(registry)];
        return keys.Where(AuthFile.Remove).ToList();
    }

    private bool HasAllBlobs(OciManifest manifest) =>
        Images.Content.Exists(manifest.Config.ParsedDigest) && manifest.Layers.All(l => Images.Content.Exists(l.ParsedDigest));

    private static string MediaTypeOf(byte[] bytes, bool isIndex)
    {
        var probe = ImageService.Deserialize(bytes, OciJsonContext.Default.ManifestProbe, Digest.Compute(bytes));
        return string.IsNullOrEmpty(probe.MediaType) ? (isIndex ? MediaTypes.OciIndex : MediaTypes.OciManifest) : probe.MediaType;
    }
}
