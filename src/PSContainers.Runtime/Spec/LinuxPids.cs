using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>The pids cgroup limit; 0 or -1 means unlimited.</summary>
public sealed class LinuxPids
{
    [JsonPropertyName("limit")] public long? Limit { get; set; }
}
