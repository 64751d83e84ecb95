using System.Text.Json.Serialization;

namespace PSContainers.Core.Images.Oci;

/// <summary>A content descriptor: media type, digest and size, as manifests and indexes reference blobs.</summary>
public sealed class OciDescriptor
{
    [JsonPropertyName("mediaType")]
    public string MediaType { get; set; } = "";

    [JsonPropertyName("digest")]
    public string Digest { get; set; } = "";

    [JsonPropertyName("size")]
    public long Size { get; set; }

    [JsonPropertyName("urls")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? Urls { get; set; }

    [JsonPropertyName("annotations")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? Annotations { get; set; }

    [JsonPropertyName("platform")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public OciPlatform? Platform { get; set; }

    [JsonPropertyName("artifactType")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ArtifactType { get; set; }

    /// <summary>The digest parsed strictly; InvalidManifest when it is malformed.</summary>
    [JsonIgnore]
    public Images.Digest ParsedDigest => Images.Digest.TryParse(Digest, out var d, out var error)
        ? d
        : throw new Containers.ContainerEngineException("InvalidManifest", $"A descriptor has an invalid digest: {error}", Containers.ContainerErrorKind.InvalidArgument, Digest);
}
