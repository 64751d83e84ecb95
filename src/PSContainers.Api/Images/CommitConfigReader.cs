using System.Text.Json;
using PSContainers.Core.Images.Oci;

namespace PSContainers.Api.Images;

/// <summary>
/// The body of POST /commit: a container Config whose image settings become the new image's (null or an empty body:
/// none). Fields that describe a container rather than an image (Hostname, Tty, ...) are refused by name when set.
/// </summary>
internal static class CommitConfigReader
{
    private static readonly HashSet<string> Handled =
    [
        "User", "ExposedPorts", "Env", "Cmd", "Entrypoint", "Volumes", "WorkingDir", "Labels", "StopSignal", "Healthcheck", "OnBuild", "Shell", "ArgsEscaped",
    ];

    public static ImageRunConfig? Read(JsonElement body)
    {
        if (body.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return null;
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            throw ApiException.BadRequest("the commit body must be a container Config (a JSON object) or null");
        }

        ContainerCreateReader.RefuseUnknown(body, Handled, "Config.");
        var config = new ImageRunConfig
        {
            User = NonEmpty(body, "User"),
            WorkingDir = NonEmpty(body, "WorkingDir"),
            StopSignal = NonEmpty(body, "StopSignal"),
            Env = List(body, "Env"),
            Cmd = List(body, "Cmd"),
            Entrypoint = List(body, "Entrypoint"),
            OnBuild = List(body, "OnBuild"),
            Shell = List(body, "Shell"),
            ExposedPorts = Keys(body, "ExposedPorts"),
            ArgsEscaped = body.TryGetProperty("ArgsEscaped", out var escaped) && escaped.ValueKind == JsonValueKind.True,
            Volumes = Keys(body, "Volumes"),
        };
        if (body.TryGetProperty("Labels", out var labels) && labels.ValueKind == JsonValueKind.Object)
        {
            config.Labels = labels.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : throw ApiException.BadRequest($"Config.Labels.{p.Name} must be a string"));
        }

        if (body.TryGetProperty("Healthcheck", out var health) && health.ValueKind == JsonValueKind.Object && !ContainerCreateReader.IsDefault(health))
        {
            ContainerCreateReader.RefuseUnknown(health, ["Test", "Interval", "Timeout", "StartPeriod", "StartInterval", "Retries"], "Config.Healthcheck.");
            config.Healthcheck = health.Deserialize<ImageHealthcheck>();
        }

        return config;
    }

    private static string? NonEmpty(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;

    /// <summary>A list the body sets; absent or empty keeps the container's, as docker's merge takes the container's for an empty one.</summary>
    private static List<string>? List(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (v.ValueKind == JsonValueKind.String)
        {
            // docker's strslice accepts a bare string for Cmd and Entrypoint.
            return [v.GetString()!];
        }

        if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            throw ApiException.BadRequest($"Config.{name} must be a list of strings");
        }

        return v.GetArrayLength() == 0 ? null : v.EnumerateArray().Select(e => e.GetString()!).ToList();
    }

    private static Dictionary<string, EmptyObject>? Keys(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object && v.EnumerateObject().Any()
            ? v.EnumerateObject().ToDictionary(p => p.Name, _ => new EmptyObject())
            : null;
}
