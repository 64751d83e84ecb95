using PSContainers.Core.Images.Oci;

namespace PSContainers.Core.Build.Cache;

/// <summary>The image state after one build step, stored under the step's cache key.</summary>
public sealed class BuildCacheEntry
{
    public string Key { get; set; } = "";

    /// <summary>What made it, as history's created_by says (for Get-ContainerDiskUsage and debugging).</summary>
    public string CreatedBy { get; set; } = "";

    public DateTimeOffset Created { get; set; }

    public DateTimeOffset LastUsed { get; set; }

    /// <summary>The whole image config after the step (history and diffIDs included).</summary>
    public ImageConfig Config { get; set; } = new();

    /// <summary>Every layer of the image after the step, bottom first.</summary>
    public List<BuildLayer> Layers { get; set; } = [];

    /// <summary>Bytes of the layer this step added (0 for a metadata step), counted by disk usage.</summary>
    public long LayerSize { get; set; }
}
