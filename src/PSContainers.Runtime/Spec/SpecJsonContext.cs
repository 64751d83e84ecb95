using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>Source-generated JSON metadata for the spec documents, so pscrun needs no reflection under NativeAOT.</summary>
// Unknown members are skipped on read (the default), because the spec lets configs carry extensions.
// RespectNullableAnnotations turns a null in a required field into a JsonException instead of a null we trip on later.
[JsonSourceGenerationOptions(
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(Spec))]
[JsonSerializable(typeof(State))]
[JsonSerializable(typeof(List<State>))]
[JsonSerializable(typeof(Features))]
[JsonSerializable(typeof(Process))]
[JsonSerializable(typeof(LinuxResources))]
public sealed partial class SpecJsonContext : JsonSerializerContext;
