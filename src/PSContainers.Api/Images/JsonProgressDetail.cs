using System.Text.Json.Serialization;

namespace PSContainers.Api.Images;

/// <summary>docker's progressDetail: bytes done of bytes total; empty ({}) on the lines that only change a layer's state.</summary>
internal sealed record JsonProgressDetail(
    [property: JsonPropertyName("current"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] long Current = 0,
    [property: JsonPropertyName("total"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] long Total = 0)
{
    public static JsonProgressDetail Empty { get; } = new();
}
