using System.Text.Json;
using System.Text.Json.Serialization;

namespace PSContainers.Api;

/// <summary>The JSON settings of every response and request body: docker's PascalCase names, as written in the types.</summary>
internal static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        // docker's field names are PascalCase (Id, HostConfig, ExitCode): the response types spell them so.
        PropertyNamingPolicy = null,
        PropertyNameCaseInsensitive = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    /// <summary>One compact line of JSON, for the streamed responses (stats, pull progress, events).</summary>
    public static byte[] Line<T>(T value)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, Options);
        var line = new byte[bytes.Length + 1];
        bytes.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        return line;
    }
}
