using System.Collections.Concurrent;
using PSContainers.Core.Containers;
using PSContainers.Core.Images;
using PSContainers.Core.Images.Oci;
using PSContainers.Core.Images.Snapshots;

namespace PSContainers.Core.Registry;

/// <summary>
/// Unpacks an image's layers while the others still download: each layer as soon as its blob is stored, up to one
/// per processor at once. An overlay snapshot holds only its own layer (whiteouts in overlay form) and is named by
/// its chainID, which the config's diffIDs give, so no layer waits for the ones below it. Register then finds
/// every snapshot made and only records the image.
/// </summary>
internal sealed class UnpackPipeline
{
    private readonly ImageService _images;
    private readonly IProgress<ImageProgress>? _progress;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _stored = new(StringComparer.Ordinal);

    public UnpackPipeline(ImageService images, IProgress<ImageProgress>? progress)
    {
        _images = images;
        _progress = progress;
    }

    /// <summary>Called when a blob is in the content store (downloaded or already there).</summary>
    public void Stored(string digest) => Slot(digest).TrySetResult();

    public async Task RunAsync(OciManifest manifest, CancellationToken cancellationToken)
    {
        // Non-layer descriptors (foreign or unknown types) shift indexes: leave such images to Register.
        if (manifest.Layers.Any(l => !(MediaTypes.IsLayer(l.MediaType) || string.IsNullOrEmpty(l.MediaType))))
        {
            return;
        }

        await Slot(manifest.Config.Digest).Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        var config = _images.ReadConfig(manifest);
        var diffIds = config.RootFs.DiffIds.Select(d => Digest.TryParse(d, out var parsed, out var error) ? parsed
            : throw new ContainerEngineException("InvalidManifest", $"The image config has an invalid diffID: {error}", ContainerErrorKind.InvalidArgument, d)).ToList();
        var chainIds = SnapshotStore.ChainIds(diffIds);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var slots = new SemaphoreSlim(Math.Clamp(Environment.ProcessorCount, 1, 4));
        var tasks = manifest.Layers.Select((layer, i) => Task.Run(async () =>
        {
            await Slot(layer.Digest).Task.WaitAsync(failed.Token).ConfigureAwait(false);
            await slots.WaitAsync(failed.Token).ConfigureAwait(false);
            try
            {
                _images.UnpackLayerAt(layer, diffIds[i], chainIds[i], i, chainIds.Count, _progress, failed.Token);
            }
            catch
            {
                await failed.CancelAsync().ConfigureAwait(false);
                throw;
            }
            finally
            {
                slots.Release();
            }
        }, CancellationToken.None)).ToList();
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // One layer failed and stopped the others: report that failure, not the cancellations.
            var real = tasks.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault(e => e is not OperationCanceledException);
            if (real is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(real);
            }

            throw;
        }
    }

    private TaskCompletionSource Slot(string digest) =>
        _stored.GetOrAdd(digest, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
