using System.Text.Json;
using PSContainers.Core.Build;

namespace PSContainers.Api.Build;

/// <summary>
/// POST /build's query as the classic builder's clients send it (docker CLI with DOCKER_BUILDKIT=0, docker-compose
/// 1.29 through docker-py): what the engine's builder can do becomes a BuildRequest, anything else is a 400 naming it.
/// </summary>
internal static class BuildQuery
{
    /// <summary>Resource and isolation options of docker's build containers; the engine's RUN steps take the engine's defaults.</summary>
    private static readonly string[] Unsupported =
    [
        "memory", "memswap", "cpushares", "cpusetcpus", "cpusetmems", "cpuperiod", "cpuquota", "shmsize", "cgroupparent", "squash",
        "securityopt", "extrahosts", "remote", "session", "outputs", "buildid",
    ];

    /// <summary>The request and whether only the image id is to be shown (q).</summary>
    public static (BuildRequest Request, bool Quiet) Parse(IQueryCollection query)
    {
        foreach (var name in Unsupported)
        {
            if (query.TryGetValue(name, out var values) && values.Any(v => !string.IsNullOrEmpty(v) && v != "0" && !string.Equals(v, "false", StringComparison.OrdinalIgnoreCase)))
            {
                throw ApiException.BadRequest($"build option {name}={values[^1]} is not supported by this builder: {Why(name)}");
            }
        }

        if (Text(query, "isolation") is { } isolation && isolation != "default")
        {
            throw ApiException.BadRequest($"build option isolation={isolation} is not supported: Linux containers have only the default isolation");
        }

        if (Text(query, "version") is { } version && version != "1")
        {
            throw ApiException.BadRequest($"build option version={version} (BuildKit) is not supported: this service speaks the classic builder's API; set DOCKER_BUILDKIT=0");
        }

        if (JsonList(query, "ulimits") is { Count: > 0 })
        {
            throw ApiException.BadRequest("build option ulimits is not supported by this builder: RUN steps take the engine's default limits");
        }

        if (JsonList(query, "cachefrom") is { Count: > 0 })
        {
            throw ApiException.BadRequest("build option cachefrom is not supported: the build cache is local to the engine");
        }

        // rm=0 asks to keep each step's container after a successful build; this builder never keeps them.
        if (!Bool(query, "rm", true))
        {
            throw ApiException.BadRequest("build option rm=0 (keep intermediate containers) is not supported: this builder removes every step's container");
        }

        var request = new BuildRequest
        {
            DockerfilePath = Text(query, "dockerfile"),
            Tags = query["t"].Where(t => !string.IsNullOrEmpty(t)).Select(t => t!).ToList(),
            BuildArgs = JsonMap(query, "buildargs"),
            Labels = JsonMap(query, "labels"),
            Target = Text(query, "target"),
            NoCache = Bool(query, "nocache", false),
            Pull = Bool(query, "pull", false),
            Platform = Text(query, "platform"),
            Network = Text(query, "networkmode") switch
            {
                null or "default" or "bridge" => "default",
                var mode => mode,
            },
        };

        // forcerm (remove the containers of failed steps too) is what this builder always does.
        _ = Bool(query, "forcerm", false);
        return (request, Bool(query, "q", false));
    }

    private static string Why(string name) => name switch
    {
        "squash" => "layers are kept as built",
        "extrahosts" => "RUN steps use the network's own /etc/hosts",
        "remote" => "send the context in the request body",
        "session" or "outputs" or "buildid" => "they belong to BuildKit; set DOCKER_BUILDKIT=0",
        "securityopt" => "RUN steps run with the engine's default security settings",
        _ => "RUN steps take the engine's default resources",
    };

    private static string? Text(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && values.Count > 0 && !string.IsNullOrEmpty(values[^1]) ? values[^1] : null;

    /// <summary>docker's rule for the builder's flags: "", "0", "no", "false", "none" are false; docker-py sends "True"/"False".</summary>
    private static bool Bool(IQueryCollection query, string name, bool absent)
    {
        if (!query.TryGetValue(name, out var values) || values.Count == 0)
        {
            return absent;
        }

        return values[^1]?.Trim().ToLowerInvariant() is not (null or "" or "0" or "no" or "false" or "none");
    }

    private static Dictionary<string, string> JsonMap(IQueryCollection query, string name)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Text(query, name) is not { } text)
        {
            return map;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw ApiException.BadRequest($"build option {name} must be a JSON object of names to strings");
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                map[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString()!,
                    JsonValueKind.Null => throw ApiException.BadRequest($"build option {name}: {property.Name} has no value (null); give it one"),
                    _ => throw ApiException.BadRequest($"build option {name}: the value of {property.Name} must be a string"),
                };
            }
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"build option {name} is not JSON: {e.Message}");
        }

        return map;
    }

    private static List<JsonElement>? JsonList(IQueryCollection query, string name)
    {
        if (Text(query, name) is not { } text)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind switch
            {
                JsonValueKind.Array => document.RootElement.EnumerateArray().Select(e => e.Clone()).ToList(),
                JsonValueKind.Null => null,
                _ => throw ApiException.BadRequest($"build option {name} must be a JSON list"),
            };
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"build option {name} is not JSON: {e.Message}");
        }
    }

}
