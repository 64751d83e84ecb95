using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>The runtime's `state` output for one container (runtime.md "State").</summary>
public sealed class State
{
    [JsonPropertyName("ociVersion")] public string OciVersion { get; set; } = "";
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    // One of ContainerStatus.
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    // Absent once the container has stopped.
    [JsonPropertyName("pid")] public int? Pid { get; set; }
    [JsonPropertyName("bundle")] public string Bundle { get; set; } = "";
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
}
