using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>A range of ids mapped from the host into a user namespace (or an idmapped mount).</summary>
public sealed class LinuxIdMapping
{
    [JsonPropertyName("containerID")] public uint ContainerId { get; set; }
    [JsonPropertyName("hostID")] public uint HostId { get; set; }
    [JsonPropertyName("size")] public uint Size { get; set; }
}
