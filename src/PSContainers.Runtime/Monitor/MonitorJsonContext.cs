using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Monitor;

/// <summary>Source-generated JSON for the monitor's status file and log lines (NativeAOT: no reflection).</summary>
[JsonSourceGenerationOptions(WriteIndented = false, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(MonitorStatus))]
[JsonSerializable(typeof(LogEntry))]
public sealed partial class MonitorJsonContext : JsonSerializerContext;
