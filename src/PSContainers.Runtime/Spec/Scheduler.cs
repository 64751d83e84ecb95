using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>The sched_setattr(2) policy and parameters of the container process.</summary>
public sealed class Scheduler
{
    // SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE or SCHED_DEADLINE.
    [JsonPropertyName("policy")] public string Policy { get; set; } = "";
    [JsonPropertyName("nice")] public int? Nice { get; set; }
    [JsonPropertyName("priority")] public int? Priority { get; set; }
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
    // Nanoseconds, for SCHED_DEADLINE.
    [JsonPropertyName("runtime")] public ulong? Runtime { get; set; }
    [JsonPropertyName("deadline")] public ulong? Deadline { get; set; }
    [JsonPropertyName("period")] public ulong? Period { get; set; }
}
