using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>A resource limit for the container process, e.g. RLIMIT_NOFILE.</summary>
public sealed class LinuxRlimit
{
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("hard")] public ulong Hard { get; set; }
    [JsonPropertyName("soft")] public ulong Soft { get; set; }
}
