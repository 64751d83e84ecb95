using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>A feature that is only on or off (apparmor, selinux, intelRdt, idmap).</summary>
public sealed class FeaturesToggle
{
    [JsonPropertyName("enabled")] public bool? Enabled { get; set; }
}
