using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Container;

/// <summary>CPU counters of a stats event.</summary>
public sealed class CpuStatsData
{
    [JsonPropertyName("usage")] public CpuUsageData Usage { get; set; } = new();
}
