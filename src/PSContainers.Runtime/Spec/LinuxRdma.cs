using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>RDMA cgroup limits for one device.</summary>
public sealed class LinuxRdma
{
    [JsonPropertyName("hcaHandles")] public uint? HcaHandles { get; set; }
    [JsonPropertyName("hcaObjects")] public uint? HcaObjects { get; set; }
}
