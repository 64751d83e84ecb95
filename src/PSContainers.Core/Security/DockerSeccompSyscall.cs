using System.Text.Json.Serialization;
using PSContainers.Runtime.Spec;

namespace PSContainers.Core.Security;

/// <summary>A rule of a Docker seccomp profile, with the conditions (capabilities, arches, kernel) under which it applies.</summary>
public sealed class DockerSeccompSyscall
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("names")] public List<string>? Names { get; set; }
    [JsonPropertyName("action")] public string Action { get; set; } = "";
    [JsonPropertyName("errnoRet")] public uint? ErrnoRet { get; set; }
    // containers/common's name for errnoRet ("EPERM"); the number is what the filter uses.
    [JsonPropertyName("errno")] public string? Errno { get; set; }
    [JsonPropertyName("args")] public List<LinuxSeccompArg>? Args { get; set; }
    [JsonPropertyName("comment")] public string? Comment { get; set; }
    [JsonPropertyName("includes")] public DockerSeccompFilter? Includes { get; set; }
    [JsonPropertyName("excludes")] public DockerSeccompFilter? Excludes { get; set; }
}
