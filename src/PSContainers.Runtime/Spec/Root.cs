using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>The container's root filesystem (config.json "root").</summary>
public sealed class Root
{
    // Relative to the bundle in the file; SpecLoader.Load makes it absolute.
    [JsonPropertyName("path")] public string Path { get; set; } = "";
    [JsonPropertyName("readonly")] public bool? Readonly { get; set; }
}
