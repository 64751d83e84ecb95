using System.Text.Json.Serialization;

namespace PSContainers.Core.Images.Oci;

/// <summary>An image manifest: OCI (application/vnd.oci.image.manifest.v1+json) or Docker v2 schema 2, which share one shape.</summary>
public sealed class OciManifest
{
    [JsonPropertyName("schemaVersion")]
    public int SchemaVersion { get; set; } = 2;

    [JsonPropertyName("mediaType")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MediaType { get; set; }

    [JsonPropertyName("artifactType")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ArtifactType { get; set; }

    [JsonPropertyName("config")]
    public OciDescriptor Config { get; set; } = new();

    [JsonPropertyName("layers")]
    public List<OciDescriptor> Layers { get; set; } = [];

    [JsonPropertyName("subject")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public OciDescriptor? Subject { get; set; }

    [JsonPropertyName("annotations")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? Annotations { get; set; }
}
