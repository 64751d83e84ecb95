using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>A block I/O weight for one device, named by major:minor.</summary>
public sealed class LinuxWeightDevice
{
    [JsonPropertyName("major")] public long Major { get; set; }
    [JsonPropertyName("minor")] public long Minor { get; set; }
    [JsonPropertyName("weight")] public ushort? Weight { get; set; }
    [JsonPropertyName("leafWeight")] public ushort? LeafWeight { get; set; }
}
