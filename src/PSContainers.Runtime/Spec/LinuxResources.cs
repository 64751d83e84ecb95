using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>The cgroup limits of linux.resources; also the document of `update --resources`.</summary>
public sealed class LinuxResources
{
    [JsonPropertyName("devices")] public List<LinuxDeviceCgroup>? Devices { get; set; }
    [JsonPropertyName("memory")] public LinuxMemory? Memory { get; set; }
    [JsonPropertyName("cpu")] public LinuxCpu? Cpu { get; set; }
    [JsonPropertyName("pids")] public LinuxPids? Pids { get; set; }
    [JsonPropertyName("blockIO")] public LinuxBlockIo? BlockIo { get; set; }
    [JsonPropertyName("hugepageLimits")] public List<LinuxHugepageLimit>? HugepageLimits { get; set; }
    [JsonPropertyName("network")] public LinuxNetwork? Network { get; set; }
    // Keyed by RDMA device name.
    [JsonPropertyName("rdma")] public Dictionary<string, LinuxRdma>? Rdma { get; set; }
    // Raw cgroup v2 files, e.g. "memory.high": "1G".
    [JsonPropertyName("unified")] public Dictionary<string, string>? Unified { get; set; }
}
