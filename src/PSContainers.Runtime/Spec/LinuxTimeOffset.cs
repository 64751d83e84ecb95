using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>A clock offset for the time namespace, keyed by clock name ("boottime", "monotonic").</summary>
public sealed class LinuxTimeOffset
{
    [JsonPropertyName("secs")] public long? Secs { get; set; }
    [JsonPropertyName("nanosecs")] public uint? Nanosecs { get; set; }
}
