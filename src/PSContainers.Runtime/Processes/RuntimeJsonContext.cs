using System.Text.Json.Serialization;
using PSContainers.Runtime.Container;

namespace PSContainers.Runtime.Processes;

/// <summary>Source-generated JSON for the runtime's own documents (init messages, saved container records).</summary>
[JsonSourceGenerationOptions(WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(InitConfig))]
[JsonSerializable(typeof(ContainerRecord))]
internal sealed partial class RuntimeJsonContext : JsonSerializerContext;
