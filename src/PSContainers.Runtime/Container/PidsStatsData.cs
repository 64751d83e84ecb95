using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Container;

/// <summary>Task count of a stats event; the limit is absent when there is none.</summary>
public sealed class PidsStatsData
{
    [JsonPropertyName("current")] public ulong Current { get; set; }
    [JsonPropertyName("limit")] public ulong? Limit { get; set; }
}
