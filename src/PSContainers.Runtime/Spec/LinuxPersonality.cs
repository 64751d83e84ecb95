using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>The execution domain (personality(2)) of the container, e.g. LINUX32.</summary>
public sealed class LinuxPersonality
{
    [JsonPropertyName("domain")] public string Domain { get; set; } = "";
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
}
