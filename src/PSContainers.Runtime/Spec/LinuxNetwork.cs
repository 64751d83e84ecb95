using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>The net_cls class id and net_prio priorities of the container.</summary>
public sealed class LinuxNetwork
{
    [JsonPropertyName("classID")] public uint? ClassId { get; set; }
    [JsonPropertyName("priorities")] public List<LinuxInterfacePriority>? Priorities { get; set; }
}
