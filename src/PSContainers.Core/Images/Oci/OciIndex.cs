using System.Text.Json.Serialization;

namespace PSContainers.Core.Images.Oci;

/// <summary>An image index (OCI) or manifest list (Docker): one manifest per platform.</summary>
public sealed class OciIndex
{
    [JsonPropertyName("schemaVersion")]
    public int SchemaVersion { get; set; } = 2;

    [JsonPropertyName("mediaType")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MediaType { get; set; }

    [JsonPropertyName("manifests")]
    public List<OciDescriptor> Manifests { get; set; } = [];

    [JsonPropertyName("annotations")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? Annotations { get; set; }
}
