using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>One rule of the device cgroup allowlist; absent Major/Minor mean any.</summary>
public sealed class LinuxDeviceCgroup
{
    [JsonPropertyName("allow")] public bool Allow { get; set; }
    // "a" (all), "c" or "b"; absent means all.
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("major")] public long? Major { get; set; }
    [JsonPropertyName("minor")] public long? Minor { get; set; }
    // Any of "r", "w", "m".
    [JsonPropertyName("access")] public string? Access { get; set; }
}
