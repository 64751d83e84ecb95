using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>Intel RDT (resctrl) settings: class of service and cache/memory bandwidth schemata.</summary>
public sealed class LinuxIntelRdt
{
    [JsonPropertyName("closID")] public string? ClosId { get; set; }
    [JsonPropertyName("l3CacheSchema")] public string? L3CacheSchema { get; set; }
    [JsonPropertyName("memBwSchema")] public string? MemBwSchema { get; set; }
    [JsonPropertyName("enableCMT")] public bool? EnableCmt { get; set; }
    [JsonPropertyName("enableMBM")] public bool? EnableMbm { get; set; }
}
