using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>The seccomp filter of linux.seccomp: a default action and per-syscall rules.</summary>
public sealed class LinuxSeccomp
{
    [JsonPropertyName("defaultAction")] public string DefaultAction { get; set; } = "";
    [JsonPropertyName("defaultErrnoRet")] public uint? DefaultErrnoRet { get; set; }
    // SCMP_ARCH_* names.
    [JsonPropertyName("architectures")] public List<string>? Architectures { get; set; }
    // SECCOMP_FILTER_FLAG_* names.
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
    [JsonPropertyName("listenerPath")] public string? ListenerPath { get; set; }
    [JsonPropertyName("listenerMetadata")] public string? ListenerMetadata { get; set; }
    [JsonPropertyName("syscalls")] public List<LinuxSyscall>? Syscalls { get; set; }
}
