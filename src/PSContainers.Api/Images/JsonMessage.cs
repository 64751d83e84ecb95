using System.Text.Json;
using System.Text.Json.Serialization;

namespace PSContainers.Api.Images;

/// <summary>
/// One line of docker's JSON message stream (pull, push, load, build): the CLI renders status/id/progressDetail as
/// progress bars, prints stream text as it is, takes aux as the result, and fails with error/errorDetail.
/// </summary>
internal sealed class JsonMessage
{
    private static readonly JsonSerializerOptions Options = new()
    {
        // These field names are lowercase in docker's stream, unlike the PascalCase of the API's objects.
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    [JsonPropertyName("status")]
    public string? Status { get; init; }

    [JsonPropertyName("progressDetail")]
    public JsonProgressDetail? ProgressDetail { get; init; }

    [JsonPropertyName("id")]
    public string? Id { get; init; }

    [JsonPropertyName("stream")]
    public string? Stream { get; init; }

    [JsonPropertyName("aux")]
    public object? Aux { get; init; }

    [JsonPropertyName("errorDetail")]
    public JsonErrorDetail? ErrorDetail { get; init; }

    [JsonPropertyName("error")]
    public string? Error { get; init; }

    public static JsonMessage OfStatus(string status, string? id = null, JsonProgressDetail? detail = null) =>
        new() { Status = status, Id = id, ProgressDetail = detail };

    public static JsonMessage OfStream(string text) => new() { Stream = text.EndsWith('\n') ? text : text + "\n" };

    public static JsonMessage OfError(string message) => new() { ErrorDetail = new JsonErrorDetail(message), Error = message };

    public static JsonMessage OfAux(object aux) => new() { Aux = aux };

    /// <summary>The message as one line of JSON ending in a newline, as docker writes it.</summary>
    public byte[] ToLine()
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(this, Options);
        var line = new byte[bytes.Length + 1];
        bytes.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        return line;
    }
}
