using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Container;

/// <summary>CPU time used by the cgroup in nanoseconds: total, in the kernel and in user mode.</summary>
public sealed class CpuUsageData
{
    [JsonPropertyName("total")] public ulong Total { get; set; }
    [JsonPropertyName("kernel")] public ulong Kernel { get; set; }
    [JsonPropertyName("user")] public ulong User { get; set; }
}
