using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>A seccomp rule: the action for a set of syscall names, optionally narrowed by arguments.</summary>
public sealed class LinuxSyscall
{
    [JsonPropertyName("names")] public List<string> Names { get; set; } = [];
    [JsonPropertyName("action")] public string Action { get; set; } = "";
    [JsonPropertyName("errnoRet")] public uint? ErrnoRet { get; set; }
    [JsonPropertyName("args")] public List<LinuxSeccompArg>? Args { get; set; }
}
