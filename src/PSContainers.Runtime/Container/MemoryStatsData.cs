using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Container;

/// <summary>Memory counters of a stats event, in bytes.</summary>
public sealed class MemoryStatsData
{
    [JsonPropertyName("cache")] public ulong Cache { get; set; }
    [JsonPropertyName("usage")] public MemoryUsageData Usage { get; set; } = new();
}
