using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>The container's process (config.json "process"); also the document of `exec --process`.</summary>
public sealed class Process
{
    [JsonPropertyName("terminal")] public bool? Terminal { get; set; }
    [JsonPropertyName("consoleSize")] public Box? ConsoleSize { get; set; }
    [JsonPropertyName("user")] public User? User { get; set; }
    [JsonPropertyName("args")] public List<string>? Args { get; set; }
    [JsonPropertyName("commandLine")] public string? CommandLine { get; set; }
    [JsonPropertyName("env")] public List<string>? Env { get; set; }
    [JsonPropertyName("cwd")] public string? Cwd { get; set; }
    [JsonPropertyName("capabilities")] public LinuxCapabilities? Capabilities { get; set; }
    [JsonPropertyName("rlimits")] public List<LinuxRlimit>? Rlimits { get; set; }
    [JsonPropertyName("noNewPrivileges")] public bool? NoNewPrivileges { get; set; }
    [JsonPropertyName("apparmorProfile")] public string? ApparmorProfile { get; set; }
    [JsonPropertyName("oomScoreAdj")] public int? OomScoreAdj { get; set; }
    [JsonPropertyName("selinuxLabel")] public string? SelinuxLabel { get; set; }
    [JsonPropertyName("scheduler")] public Scheduler? Scheduler { get; set; }
    [JsonPropertyName("ioPriority")] public LinuxIoPriority? IoPriority { get; set; }
    [JsonPropertyName("execCPUAffinity")] public CpuAffinity? ExecCpuAffinity { get; set; }
}
