using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Container;

/// <summary>Current and peak memory use and the limit, in bytes; the limit is absent when there is none.</summary>
public sealed class MemoryUsageData
{
    [JsonPropertyName("usage")] public ulong Usage { get; set; }
    [JsonPropertyName("limit")] public ulong? Limit { get; set; }
    [JsonPropertyName("max")] public ulong Max { get; set; }
}
