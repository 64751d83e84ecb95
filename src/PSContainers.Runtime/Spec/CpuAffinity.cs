using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>The CPU lists an exec'd process runs on before and after it joins the container cgroup.</summary>
public sealed class CpuAffinity
{
    [JsonPropertyName("initial")] public string? Initial { get; set; }
    [JsonPropertyName("final")] public string? Final { get; set; }
}
