using System.Text.Json;
using PSContainers.Core.Build.Cache;
using PSContainers.Core.Images.Oci;

namespace PSContainers.Core.Build.Executor;

/// <summary>The image a stage has built so far: its config (history included), its layers and the cache key that names this state.</summary>
internal sealed class StageState
{
    public required ImageConfig Config { get; set; }

    public required List<BuildLayer> Layers { get; set; }

    public required string Key { get; set; }

    public ImageRunConfig Run => Config.Config ??= new ImageRunConfig();

    /// <summary>A deep copy: a cached state or a finished stage is never changed by the steps that follow it.</summary>
    public StageState Clone() => new()
    {
        Config = JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(Config, OciJsonContext.Default.ImageConfig), OciJsonContext.Default.ImageConfig)!,
        Layers = Layers.Select(l => new BuildLayer { DiffId = l.DiffId, ChainId = l.ChainId, Blob = l.Blob, MediaType = l.MediaType, BlobSize = l.BlobSize }).ToList(),
        Key = Key,
    };
}
