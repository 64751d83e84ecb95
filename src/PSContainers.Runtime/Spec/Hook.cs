using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>One hook command: an absolute path run with args, env and an optional timeout in seconds.</summary>
public sealed class Hook
{
    [JsonPropertyName("path")] public string Path { get; set; } = "";
    [JsonPropertyName("args")] public List<string>? Args { get; set; }
    [JsonPropertyName("env")] public List<string>? Env { get; set; }
    [JsonPropertyName("timeout")] public int? Timeout { get; set; }
}
