using System.Text.Json;
using System.Text.Json.Nodes;

namespace PSContainers.Core.Network.Cni;

/// <summary>A network configuration list (a .conflist file): name, cniVersion and the plugin chain, each plugin's config as JSON.</summary>
public sealed class CniConfigList
{
    public static readonly string[] SupportedVersions = ["0.3.0", "0.3.1", "0.4.0", "1.0.0"];

    public required string Name { get; init; }

    public required string CniVersion { get; init; }

    public bool DisableCheck { get; init; }

    public required IReadOnlyList<JsonObject> Plugins { get; init; }

    /// <summary>The exact bytes this list was read from or will be written as (cached with each ADD so DEL uses the same config).</summary>
    public byte[] Bytes => _bytes ??= JsonSerializer.SerializeToUtf8Bytes(ToJson(), new JsonSerializerOptions { WriteIndented = true });

    private byte[]? _bytes;

    public JsonObject ToJson()
    {
        var json = new JsonObject { ["cniVersion"] = CniVersion, ["name"] = Name };
        if (DisableCheck)
        {
            json["disableCheck"] = true;
        }

        json["plugins"] = new JsonArray(Plugins.Select(p => (JsonNode)p.DeepClone()).ToArray());
        return json;
    }

    /// <summary>Parses a conflist as libcni's ConfListFromBytes does: a name, a version it knows, at least one plugin with a type.</summary>
    public static CniConfigList Parse(byte[] bytes, string source)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(bytes) as JsonObject ?? throw new FormatException("not a JSON object");
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new FormatException($"{source} is not a CNI network configuration list: {e.Message}", e);
        }

        var name = (string?)root["name"];
        if (string.IsNullOrEmpty(name))
        {
            throw new FormatException($"{source}: the network configuration list has no name");
        }

        var version = (string?)root["cniVersion"] ?? "";
        if (!SupportedVersions.Contains(version))
        {
            throw new FormatException($"{source}: cniVersion \"{version}\" is not one this runtime speaks ({string.Join(", ", SupportedVersions)})");
        }

        if (root["plugins"] is not JsonArray { Count: > 0 } plugins)
        {
            throw new FormatException($"{source}: the network configuration list has no plugins");
        }

        var list = new List<JsonObject>();
        foreach (var plugin in plugins)
        {
            if (plugin is not JsonObject p || string.IsNullOrEmpty((string?)p["type"]))
            {
                throw new FormatException($"{source}: every plugin needs a \"type\"");
            }

            list.Add((JsonObject)p.DeepClone());
        }

        return new CniConfigList
        {
            Name = name, CniVersion = version, DisableCheck = root["disableCheck"] is JsonValue v && v.TryGetValue<bool>(out var b) && b, Plugins = list,
            _bytes = bytes,
        };
    }

    /// <summary>The same list with only the plugins for which keep is true (a container's chain; see docs/networks.md).</summary>
    public CniConfigList Where(Func<JsonObject, bool> keep) => new()
    {
        Name = Name, CniVersion = CniVersion, DisableCheck = DisableCheck, Plugins = Plugins.Where(keep).ToList(),
    };
}
