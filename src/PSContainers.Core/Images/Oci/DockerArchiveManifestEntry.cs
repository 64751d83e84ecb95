using System.Text.Json.Serialization;

namespace PSContainers.Core.Images.Oci;

/// <summary>One image in a docker-archive's manifest.json (docker save / podman save).</summary>
public sealed class DockerArchiveManifestEntry
{
    [JsonPropertyName("Config")]
    public string Config { get; set; } = "";

    [JsonPropertyName("RepoTags")]
    public List<string>? RepoTags { get; set; }

    [JsonPropertyName("Layers")]
    public List<string> Layers { get; set; } = [];
}
