using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>The seccomp support of the runtime (features linux.seccomp).</summary>
public sealed class FeaturesSeccomp
{
    [JsonPropertyName("enabled")] public bool? Enabled { get; set; }
    [JsonPropertyName("actions")] public List<string>? Actions { get; set; }
    [JsonPropertyName("operators")] public List<string>? Operators { get; set; }
    [JsonPropertyName("archs")] public List<string>? Archs { get; set; }
    [JsonPropertyName("knownFlags")] public List<string>? KnownFlags { get; set; }
    [JsonPropertyName("supportedFlags")] public List<string>? SupportedFlags { get; set; }
}
