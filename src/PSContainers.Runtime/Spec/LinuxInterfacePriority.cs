using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>A net_prio priority for one network interface.</summary>
public sealed class LinuxInterfacePriority
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("priority")] public uint Priority { get; set; }
}
