using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Container;

/// <summary>One line of `pscrun events`: a stats sample or an OOM kill, shaped as runc prints them.</summary>
public sealed class ContainerEvent
{
    public const string StatsType = "stats";
    public const string OomType = "oom";

    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    // Absent on "oom" events.
    [JsonPropertyName("data")] public ContainerStatsData? Data { get; set; }
}
