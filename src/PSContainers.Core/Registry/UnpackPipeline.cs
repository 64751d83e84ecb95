using System.Collections.Concurrent;
using PSContainers.Core.Images;
using PSContainers.Core.Images.Oci;

namespace PSContainers.Core.Registry;

/// <summary>
/// Unpacks an image's layers bottom-up as their blobs arrive, while the layers above still download: layer i is
/// unpacked as soon as it and every layer below are stored (each snapshot needs its parent), as containerd's
/// unpacker overlaps fetch and apply. Register then finds every snapshot made.
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
        for (var i = 0; i < manifest.Layers.Count; i++)
        {
            await Slot(manifest.Layers[i].Digest).Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            var count = i + 1;
            // The image as far as layer i: its chainIDs are the first i+1 of the whole image's.
            var prefix = new OciManifest { Config = manifest.Config, Layers = manifest.Layers.Take(count).ToList() };
            var prefixConfig = new ImageConfig { RootFs = new ImageRootFs { DiffIds = config.RootFs.DiffIds.Take(count).ToList() } };
            await Task.Run(() => _images.EnsureUnpacked(prefix, prefixConfig, _progress, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
    }

    private TaskCompletionSource Slot(string digest) =>
        _stored.GetOrAdd(digest, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
