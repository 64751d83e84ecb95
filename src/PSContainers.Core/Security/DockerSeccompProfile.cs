using System.Text.Json.Serialization;

namespace PSContainers.Core.Security;

/// <summary>A seccomp profile in Docker's JSON format (docker run --security-opt seccomp=FILE).</summary>
public sealed class DockerSeccompProfile
{
    [JsonPropertyName("defaultAction")] public string DefaultAction { get; set; } = "";
    [JsonPropertyName("defaultErrnoRet")] public uint? DefaultErrnoRet { get; set; }
    // podman's profiles (containers/common) name the errno beside the number: "ENOSYS" next to 38.
    [JsonPropertyName("defaultErrno")] public string? DefaultErrno { get; set; }
    // The older flat form; archMap is what current profiles use.
    [JsonPropertyName("architectures")] public List<string>? Architectures { get; set; }
    [JsonPropertyName("archMap")] public List<DockerSeccompArchMap>? ArchMap { get; set; }
    [JsonPropertyName("syscalls")] public List<DockerSeccompSyscall>? Syscalls { get; set; }
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
    [JsonPropertyName("listenerPath")] public string? ListenerPath { get; set; }
    [JsonPropertyName("listenerMetadata")] public string? ListenerMetadata { get; set; }
}
