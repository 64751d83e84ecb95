using System.Text.Json.Serialization;

namespace PSContainers.Core.Images.Oci;

/// <summary>The fields that tell a manifest from an index when mediaType is missing (it is optional in OCI).</summary>
public sealed class ManifestProbe
{
    [JsonPropertyName("schemaVersion")]
    public int SchemaVersion { get; set; }

    [JsonPropertyName("mediaType")]
    public string? MediaType { get; set; }

    [JsonPropertyName("manifests")]
    public List<OciDescriptor>? Manifests { get; set; }

    [JsonPropertyName("config")]
    public OciDescriptor? Config { get; set; }
}
