using System.Text.Json.Serialization;

namespace PSContainers.Core.Images.Oci;

/// <summary>rootfs of an image configuration: the diffIDs (digests of the uncompressed layer tars), bottom layer first.</summary>
public sealed class ImageRootFs
{
    [JsonPropertyName("type")]
    public string Type { get; set; } = "layers";

    [JsonPropertyName("diff_ids")]
    public List<string> DiffIds { get; set; } = [];
}
