using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>A comparison on one syscall argument in a seccomp rule.</summary>
public sealed class LinuxSeccompArg
{
    [JsonPropertyName("index")] public uint Index { get; set; }
    [JsonPropertyName("value")] public ulong Value { get; set; }
    [JsonPropertyName("valueTwo")] public ulong? ValueTwo { get; set; }
    // SCMP_CMP_* name.
    [JsonPropertyName("op")] public string Op { get; set; } = "";
}
