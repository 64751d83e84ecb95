using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>A device node the runtime creates inside the container (linux.devices).</summary>
public sealed class LinuxDevice
{
    [JsonPropertyName("path")] public string Path { get; set; } = "";
    // "c", "b", "u" or "p".
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("major")] public long? Major { get; set; }
    [JsonPropertyName("minor")] public long? Minor { get; set; }
    // Permission bits as a decimal number in JSON (0666 is written 438), as Go's os.FileMode is.
    [JsonPropertyName("fileMode")] public uint? FileMode { get; set; }
    [JsonPropertyName("uid")] public uint? Uid { get; set; }
    [JsonPropertyName("gid")] public uint? Gid { get; set; }
}
