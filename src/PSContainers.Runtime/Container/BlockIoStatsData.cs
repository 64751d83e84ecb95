using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Container;

/// <summary>Block I/O of a stats event summed over all devices.</summary>
public sealed class BlockIoStatsData
{
    [JsonPropertyName("readBytes")] public ulong ReadBytes { get; set; }
    [JsonPropertyName("writeBytes")] public ulong WriteBytes { get; set; }
    [JsonPropertyName("readOperations")] public ulong ReadOperations { get; set; }
    [JsonPropertyName("writeOperations")] public ulong WriteOperations { get; set; }
}
