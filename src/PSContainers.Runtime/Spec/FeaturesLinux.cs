using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>The Linux part of the features document.</summary>
public sealed class FeaturesLinux
{
    [JsonPropertyName("namespaces")] public List<string>? Namespaces { get; set; }
    [JsonPropertyName("capabilities")] public List<string>? Capabilities { get; set; }
    [JsonPropertyName("cgroup")] public FeaturesCgroup? Cgroup { get; set; }
    [JsonPropertyName("seccomp")] public FeaturesSeccomp? Seccomp { get; set; }
    [JsonPropertyName("apparmor")] public FeaturesToggle? Apparmor { get; set; }
    [JsonPropertyName("selinux")] public FeaturesToggle? Selinux { get; set; }
    [JsonPropertyName("intelRdt")] public FeaturesToggle? IntelRdt { get; set; }
    [JsonPropertyName("mountExtensions")] public FeaturesMountExtensions? MountExtensions { get; set; }
}
