using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>The `features` document (features.md): what this runtime implements.</summary>
public sealed class Features
{
    [JsonPropertyName("ociVersionMin")] public string? OciVersionMin { get; set; }
    [JsonPropertyName("ociVersionMax")] public string? OciVersionMax { get; set; }
    [JsonPropertyName("hooks")] public List<string>? Hooks { get; set; }
    [JsonPropertyName("mountOptions")] public List<string>? MountOptions { get; set; }
    [JsonPropertyName("linux")] public FeaturesLinux? Linux { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
    [JsonPropertyName("potentiallyUnsafeConfigAnnotations")] public List<string>? PotentiallyUnsafeConfigAnnotations { get; set; }
}
