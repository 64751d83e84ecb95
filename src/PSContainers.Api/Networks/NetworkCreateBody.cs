using System.Text.Json;
using PSContainers.Core.Network;

namespace PSContainers.Api.Networks;

/// <summary>
/// POST /networks/create's body (docker CLI 24-28, docker-compose 1.29) read into the engine's request: the bridge
/// driver with one IPv4 subnet, gateway and range, Internal and Labels. Values the clients send by default pass;
/// anything asking for more (another driver, IPv6, driver options, swarm's ingress) is a 400 naming the field.
/// </summary>
internal static class NetworkCreateBody
{
    public static NetworkCreateRequest Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw ApiException.BadRequest("the network create body must be a JSON object");
        }

        var request = new NetworkCreateRequest { Name = Text(body, "Name") ?? throw ApiException.BadRequest("Name is required: the network's name") };
        if (Text(body, "Driver") is { } driver && driver != "bridge")
        {
            throw ApiException.BadRequest($"network driver \"{driver}\" is not supported: only bridge networks (CNI bridge with host-local addresses) are");
        }

        if (Text(body, "Scope") is { } scope && scope != "local")
        {
            throw ApiException.BadRequest($"network scope \"{scope}\" is not supported: networks here are local to this host");
        }

        if (Flag(body, "EnableIPv6") == true)
        {
            throw ApiException.BadRequest("EnableIPv6 is not supported: networks here are IPv4 only");
        }

        if (Flag(body, "EnableIPv4") == false)
        {
            throw ApiException.BadRequest("EnableIPv4=false is not supported: networks here are IPv4 only");
        }

        foreach (var name in new[] { "Ingress", "ConfigOnly" })
        {
            if (Flag(body, name) == true)
            {
                throw ApiException.BadRequest($"{name} is not supported: it belongs to swarm networks");
            }
        }

        if (Get(body, "ConfigFrom") is { ValueKind: JsonValueKind.Object } from && Text(from, "Network") is { } source)
        {
            throw ApiException.BadRequest($"ConfigFrom ({source}) is not supported: it belongs to swarm networks");
        }

        if (Map(body, "Options") is { Count: > 0 } options)
        {
            throw ApiException.BadRequest($"network driver options are not supported: {string.Join(", ", options.Keys)}");
        }

        request.Internal = Flag(body, "Internal") == true;
        request.Labels = Map(body, "Labels") ?? [];
        if (Get(body, "IPAM") is { ValueKind: JsonValueKind.Object } ipam)
        {
            if (Text(ipam, "Driver") is { } ipamDriver && ipamDriver != "default")
            {
                throw ApiException.BadRequest($"IPAM driver \"{ipamDriver}\" is not supported: addresses come from CNI host-local (the default driver)");
            }

            if (Map(ipam, "Options") is { Count: > 0 } ipamOptions)
            {
                throw ApiException.BadRequest($"IPAM options are not supported: {string.Join(", ", ipamOptions.Keys)}");
            }

            if (Get(ipam, "Config") is { ValueKind: JsonValueKind.Array } configs)
            {
                var list = configs.EnumerateArray().ToList();
                if (list.Count > 1)
                {
                    throw ApiException.BadRequest($"IPAM Config has {list.Count} entries: a network here has one IPv4 subnet");
                }

                if (list.Count == 1)
                {
                    var config = list[0];
                    if (Map(config, "AuxiliaryAddresses") is { Count: > 0 })
                    {
                        throw ApiException.BadRequest("IPAM AuxiliaryAddresses are not supported");
                    }

                    request.Subnet = Text(config, "Subnet");
                    request.Gateway = Text(config, "Gateway");
                    request.IPRange = Text(config, "IPRange");
                }
            }
        }

        return request;
    }

    private static JsonElement? Get(JsonElement obj, string name)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    private static string? Text(JsonElement obj, string name) => Get(obj, name) switch
    {
        { ValueKind: JsonValueKind.String } v when v.GetString() is { Length: > 0 } s => s,
        null or { ValueKind: JsonValueKind.Null or JsonValueKind.String } => null,
        _ => throw ApiException.BadRequest($"{name} must be a string"),
    };

    private static bool? Flag(JsonElement obj, string name) => Get(obj, name) switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        null or { ValueKind: JsonValueKind.Null } => null,
        _ => throw ApiException.BadRequest($"{name} must be true or false"),
    };

    private static Dictionary<string, string>? Map(JsonElement obj, string name)
    {
        if (Get(obj, name) is not { ValueKind: JsonValueKind.Object } value)
        {
            return null;
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            map[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
        }

        return map;
    }
}
