using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Container;

/// <summary>Source-generated JSON for event lines, so the NativeAOT pscrun can write them without reflection.</summary>
[JsonSourceGenerationOptions(WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ContainerEvent))]
public sealed partial class ContainerEventJsonContext : JsonSerializerContext;
