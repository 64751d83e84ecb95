using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>A namespace to create, or to join when Path is set.</summary>
public sealed class LinuxNamespace
{
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("path")] public string? Path { get; set; }
}
