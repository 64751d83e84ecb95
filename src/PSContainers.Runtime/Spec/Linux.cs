using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>The Linux-specific part of config.json ("linux").</summary>
public sealed class Linux
{
    [JsonPropertyName("uidMappings")] public List<LinuxIdMapping>? UidMappings { get; set; }
    [JsonPropertyName("gidMappings")] public List<LinuxIdMapping>? GidMappings { get; set; }
    [JsonPropertyName("sysctl")] public Dictionary<string, string>? Sysctl { get; set; }
    [JsonPropertyName("resources")] public LinuxResources? Resources { get; set; }
    [JsonPropertyName("cgroupsPath")] public string? CgroupsPath { get; set; }
    [JsonPropertyName("namespaces")] public List<LinuxNamespace>? Namespaces { get; set; }
    [JsonPropertyName("devices")] public List<LinuxDevice>? Devices { get; set; }
    [JsonPropertyName("seccomp")] public LinuxSeccomp? Seccomp { get; set; }
    [JsonPropertyName("rootfsPropagation")] public string? RootfsPropagation { get; set; }
    [JsonPropertyName("maskedPaths")] public List<string>? MaskedPaths { get; set; }
    [JsonPropertyName("readonlyPaths")] public List<string>? ReadonlyPaths { get; set; }
    [JsonPropertyName("mountLabel")] public string? MountLabel { get; set; }
    [JsonPropertyName("intelRdt")] public LinuxIntelRdt? IntelRdt { get; set; }
    [JsonPropertyName("personality")] public LinuxPersonality? Personality { get; set; }
    // Runtime spec 1.3 fields pscrun does not implement: read only so that a config using them is refused by name.
    [JsonPropertyName("netDevices")] public Dictionary<string, System.Text.Json.JsonElement>? NetDevices { get; set; }
    [JsonPropertyName("memoryPolicy")] public System.Text.Json.JsonElement? MemoryPolicy { get; set; }
    [JsonPropertyName("timeOffsets")] public Dictionary<string, LinuxTimeOffset>? TimeOffsets { get; set; }
}
