using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>Which cgroup drivers the runtime supports (features linux.cgroup).</summary>
public sealed class FeaturesCgroup
{
    [JsonPropertyName("v1")] public bool? V1 { get; set; }
    [JsonPropertyName("v2")] public bool? V2 { get; set; }
    [JsonPropertyName("systemd")] public bool? Systemd { get; set; }
    [JsonPropertyName("systemdUser")] public bool? SystemdUser { get; set; }
    [JsonPropertyName("rdma")] public bool? Rdma { get; set; }
}
