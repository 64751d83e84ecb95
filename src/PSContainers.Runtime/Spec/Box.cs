using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>A terminal size in character cells (process.consoleSize).</summary>
public sealed class Box
{
    [JsonPropertyName("height")] public uint Height { get; set; }
    [JsonPropertyName("width")] public uint Width { get; set; }
}
