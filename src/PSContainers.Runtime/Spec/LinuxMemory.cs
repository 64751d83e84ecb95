using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>Memory cgroup limits in bytes; -1 means unlimited.</summary>
public sealed class LinuxMemory
{
    [JsonPropertyName("limit")] public long? Limit { get; set; }
    [JsonPropertyName("reservation")] public long? Reservation { get; set; }
    // Memory plus swap, as cgroup v1 memsw counts it.
    [JsonPropertyName("swap")] public long? Swap { get; set; }
    // Deprecated by the spec and ignored by kernels since 5.4; kept so configs round-trip.
    [JsonPropertyName("kernel")] public long? Kernel { get; set; }
    [JsonPropertyName("kernelTCP")] public long? KernelTcp { get; set; }
    [JsonPropertyName("swappiness")] public ulong? Swappiness { get; set; }
    [JsonPropertyName("disableOOMKiller")] public bool? DisableOomKiller { get; set; }
    [JsonPropertyName("useHierarchy")] public bool? UseHierarchy { get; set; }
    [JsonPropertyName("checkBeforeUpdate")] public bool? CheckBeforeUpdate { get; set; }
}
