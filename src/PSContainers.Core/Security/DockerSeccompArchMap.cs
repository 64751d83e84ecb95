using System.Text.Json.Serialization;

namespace PSContainers.Core.Security;

/// <summary>An archMap entry: a native architecture and the ones its processes can also call as.</summary>
public sealed class DockerSeccompArchMap
{
    [JsonPropertyName("architecture")] public string Architecture { get; set; } = "";
    [JsonPropertyName("subArchitectures")] public List<string>? SubArchitectures { get; set; }
}
