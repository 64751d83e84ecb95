using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>A block I/O rate limit (bytes or operations per second) for one device.</summary>
public sealed class LinuxThrottleDevice
{
    [JsonPropertyName("major")] public long Major { get; set; }
    [JsonPropertyName("minor")] public long Minor { get; set; }
    [JsonPropertyName("rate")] public ulong Rate { get; set; }
}
