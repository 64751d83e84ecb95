using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>The five capability sets of the container process, as CAP_* names.</summary>
public sealed class LinuxCapabilities
{
    [JsonPropertyName("bounding")] public List<string>? Bounding { get; set; }
    [JsonPropertyName("effective")] public List<string>? Effective { get; set; }
    [JsonPropertyName("inheritable")] public List<string>? Inheritable { get; set; }
    [JsonPropertyName("permitted")] public List<string>? Permitted { get; set; }
    [JsonPropertyName("ambient")] public List<string>? Ambient { get; set; }
}
