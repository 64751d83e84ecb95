using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Processes;

/// <summary>Source-generated JSON for the runtime's own documents (the exec image's configuration message).</summary>
[JsonSourceGenerationOptions(WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(InitConfig))]
internal sealed partial class RuntimeJsonContext : JsonSerializerContext;
