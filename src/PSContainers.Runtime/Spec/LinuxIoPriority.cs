using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>The ioprio_set(2) class and level of the container process.</summary>
public sealed class LinuxIoPriority
{
    // IOPRIO_CLASS_RT, IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE.
    [JsonPropertyName("class")] public string Class { get; set; } = "";
    [JsonPropertyName("priority")] public int? Priority { get; set; }
}
