using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Container;

/// <summary>What pscrun remembers about one container between commands (state.json in its state directory).</summary>
public sealed class ContainerRecord
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("pid")] public int Pid { get; set; }
    // Field 22 of /proc/PID/stat, so a recycled pid is never taken for the container.
    [JsonPropertyName("pidStartTime")] public ulong PidStartTime { get; set; }
    [JsonPropertyName("bundle")] public string Bundle { get; set; } = "";
    [JsonPropertyName("rootfs")] public string Rootfs { get; set; } = "";
    [JsonPropertyName("created")] public DateTimeOffset Created { get; set; }
    [JsonPropertyName("cgroupsPath")] public string CgroupsPath { get; set; } = "";
    [JsonPropertyName("owner")] public string Owner { get; set; } = "";
    [JsonPropertyName("ociVersion")] public string OciVersion { get; set; } = "";
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }

    // The config.json text as the container was created with it (after `update`, as updated).
    [JsonPropertyName("config")] public string ConfigJson { get; set; } = "{}";

    private Spec.Spec? _spec;

    // Parsed on first use: parsing a config costs milliseconds that `state` and `kill` need not pay twice. The
    // serializer-free reader first: the serializer's metadata for the whole spec costs a fresh process ~5 ms.
    [JsonIgnore]
    public Spec.Spec Spec
    {
        get => _spec ??= PSContainers.Runtime.Spec.SpecFastReader.TryRead(ConfigJson)
            ?? System.Text.Json.JsonSerializer.Deserialize(ConfigJson, PSContainers.Runtime.Spec.SpecJsonContext.Default.Spec) ?? new Spec.Spec();
        set
        {
            _spec = value;
            ConfigJson = PSContainers.Runtime.Spec.SpecLoader.Serialize(value);
        }
    }

    /// <summary>Sets the parsed config and its text together, when both are at hand.</summary>
    public void SetConfig(Spec.Spec spec, string text)
    {
        _spec = spec;
        ConfigJson = text;
        OciVersion = spec.OciVersion;
        Annotations = spec.Annotations;
    }
}
