using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>The lifecycle hooks of config.json "hooks", one list per point in the lifecycle.</summary>
public sealed class Hooks
{
    // Deprecated by the spec in favour of CreateRuntime, still honoured by runc and crun.
    [JsonPropertyName("prestart")] public List<Hook>? Prestart { get; set; }
    [JsonPropertyName("createRuntime")] public List<Hook>? CreateRuntime { get; set; }
    [JsonPropertyName("createContainer")] public List<Hook>? CreateContainer { get; set; }
    [JsonPropertyName("startContainer")] public List<Hook>? StartContainer { get; set; }
    [JsonPropertyName("poststart")] public List<Hook>? Poststart { get; set; }
    [JsonPropertyName("poststop")] public List<Hook>? Poststop { get; set; }
}
