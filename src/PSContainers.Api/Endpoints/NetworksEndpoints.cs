using System.Text.Json;
using PSContainers.Api.Images;
using PSContainers.Api.Networks;
using PSContainers.Core.Containers;
using PSContainers.Core.Network;

namespace PSContainers.Api.Endpoints;

/// <summary>/networks: list, inspect, create, remove, prune, connect and disconnect, over the engine's CNI bridge networks.</summary>
internal static class NetworksEndpoints
{
    public static IEndpointRouteBuilder MapNetworks(this IEndpointRouteBuilder app)
    {
        app.MapGet("/networks", List);
        app.MapPost("/networks/create", Create);
        app.MapPost("/networks/prune", Prune);
        app.MapGet("/networks/{id}", Inspect);
        app.MapDelete("/networks/{id}", Remove);
        app.MapPost("/networks/{id}/connect", Connect);
        app.MapPost("/networks/{id}/disconnect", Disconnect);
        return app;
    }

    private static ContainerService Service(EngineServices engine) => new(engine.Paths, engine.Loggers.CreateLogger("Networks"));

    private static IResult List(HttpContext context, EngineServices engine)
    {
        var filters = DockerFilters.Parse(ApiQuery.String(context, "filters"), NetworkShapes.ListFilters);
        var networks = Service(engine).ListNetworks();
        return ApiResults.Json(networks.Where(n => NetworkShapes.Matches(n, filters)).Select(n => NetworkShapes.Network(n, [])).ToList());
    }

    private static IResult Inspect(HttpContext context, EngineServices engine, string id)
    {
        if (ApiQuery.String(context, "scope") is { } scope && scope != "local")
        {
            throw ApiException.NotFound($"network {id} not found");
        }

        // verbose adds swarm's per-node service details, which local networks do not have.
        _ = ApiQuery.Bool(context, "verbose");
        var service = Service(engine);
        var network = Find(service, id);
        var containers = network.Containers.Select(service.Get).ToList();
        return ApiResults.Json(NetworkShapes.Network(network, containers));
    }

    private static async Task<IResult> Create(HttpContext context, EngineServices engine)
    {
        var body = await ApiResults.ReadBody<JsonElement>(context);
        var request = NetworkCreateBody.Parse(body);
        var service = Service(engine);
        if (service.ListNetworks().Any(n => n.Name == request.Name))
        {
            // docker's wording, which docker-compose and the CLI show.
            throw ApiException.Conflict($"network with name {request.Name} already exists");
        }

        var network = service.CreateNetwork(request, context.RequestAborted);
        return ApiResults.Json(new { network.Id, Warning = "" }, StatusCodes.Status201Created);
    }

    private static IResult Remove(HttpContext context, EngineServices engine, string id)
    {
        var service = Service(engine);
        service.RemoveNetwork(Find(service, id).Name, context.RequestAborted);
        return ApiResults.NoContent();
    }

    private static IResult Prune(HttpContext context, EngineServices engine)
    {
        var text = ApiQuery.String(context, "filters");
        DockerFilters.Parse(text, "label", "label!", "until");
        var raw = ApiQuery.Filters(text);
        // A bad until is a 400 before anything is removed.
        PruneFilter.Matches(raw, new Dictionary<string, string>(), DateTimeOffset.UnixEpoch);
        var deleted = Service(engine).PruneNetworks(n => PruneFilter.Matches(raw, n.Labels, n.Created), context.RequestAborted);
        return ApiResults.Json(new { NetworksDeleted = deleted });
    }

    private static async Task<IResult> Connect(HttpContext context, EngineServices engine, string id)
    {
        var body = await ApiResults.ReadBody<JsonElement>(context);
        var container = ContainerOf(body);
        var aliases = new List<string>();
        string? address = null;
        if (Property(body, "EndpointConfig") is { ValueKind: JsonValueKind.Object } endpoint)
        {
            aliases = Strings(endpoint, "Aliases");
            foreach (var name in new[] { "Links", "DriverOpts", "MacAddress", "DNSNames" })
            {
                if (Property(endpoint, name) is { } value && !IsEmpty(value))
                {
                    throw ApiException.BadRequest($"EndpointConfig.{name} is not supported by network connect here");
                }
            }

            if (Property(endpoint, "IPAMConfig") is { ValueKind: JsonValueKind.Object } ipam)
            {
                address = Property(ipam, "IPv4Address") is { ValueKind: JsonValueKind.String } ip && ip.GetString() is { Length: > 0 } text ? text : null;
                foreach (var name in new[] { "IPv6Address", "LinkLocalIPs" })
                {
                    if (Property(ipam, name) is { } value && !IsEmpty(value))
                    {
                        throw ApiException.BadRequest($"EndpointConfig.IPAMConfig.{name} is not supported: networks here are IPv4 only");
                    }
                }
            }
        }

        var service = Service(engine);
        service.ConnectNetwork(container, Find(service, id).Name, aliases, address, context.RequestAborted);
        return Results.Ok();
    }

    private static async Task<IResult> Disconnect(HttpContext context, EngineServices engine, string id)
    {
        var body = await ApiResults.ReadBody<JsonElement>(context);
        var container = ContainerOf(body);
        // Force lets docker drop an endpoint whose container is gone; here a connection is the container's own record, so
        // a disconnect never needs more.
        var service = Service(engine);
        service.DisconnectNetwork(container, Find(service, id).Name, context.RequestAborted);
        return Results.Ok();
    }

    /// <summary>A network by name, full id or id prefix, as docker resolves them.</summary>
    private static ContainerNetwork Find(ContainerService service, string id)
    {
        var networks = service.ListNetworks();
        if (networks.FirstOrDefault(n => n.Name == id || n.Id == id) is { } exact)
        {
            return exact;
        }

        var matches = networks.Where(n => n.Id.StartsWith(id, StringComparison.Ordinal)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw ApiException.NotFound($"network {id} not found"),
            _ => throw ApiException.BadRequest($"network {id} is ambiguous ({matches.Count} matches found based on ID prefix)"),
        };
    }

    private static string ContainerOf(JsonElement body) =>
        Property(body, "Container") is { ValueKind: JsonValueKind.String } c && c.GetString() is { Length: > 0 } name
            ? name
            : throw ApiException.BadRequest("Container is required: the container to connect or disconnect");

    private static JsonElement? Property(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var property in obj.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    private static List<string> Strings(JsonElement obj, string name) =>
        Property(obj, name) is { ValueKind: JsonValueKind.Array } list
            ? list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
            : [];

    private static bool IsEmpty(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => true,
        JsonValueKind.String => value.GetString()!.Length == 0,
        JsonValueKind.Array => value.GetArrayLength() == 0,
        JsonValueKind.Object => !value.EnumerateObject().Any(),
        _ => false,
    };
}
