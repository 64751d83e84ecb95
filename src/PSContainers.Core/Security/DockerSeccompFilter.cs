using System.Text.Json.Serialization;

namespace PSContainers.Core.Security;

/// <summary>The includes/excludes condition of a Docker seccomp rule.</summary>
public sealed class DockerSeccompFilter
{
    // Go architecture names: amd64, x32, arm64...
    [JsonPropertyName("arches")] public List<string>? Arches { get; set; }
    [JsonPropertyName("caps")] public List<string>? Caps { get; set; }
    // "major.minor"
    [JsonPropertyName("minKernel")] public string? MinKernel { get; set; }
}
