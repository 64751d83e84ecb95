using System.Text.Json;
using PSContainers.Api.Images;
using PSContainers.Api.Volumes;
using PSContainers.Core.Volumes;

namespace PSContainers.Api.Endpoints;

/// <summary>/volumes: list, inspect, create, remove and prune, over the engine's local-driver volumes.</summary>
internal static class VolumesEndpoints
{
    private static readonly string[] ListFilters = ["dangling", "driver", "label", "name"];

    public static IEndpointRouteBuilder MapVolumes(this IEndpointRouteBuilder app)
    {
        app.MapGet("/volumes", List);
        app.MapPost("/volumes/create", Create);
        app.MapPost("/volumes/prune", Prune);
        app.MapGet("/volumes/{name}", (EngineServices engine, string name) => ApiResults.Json(Volume(Service(engine).Get(name))));
        app.MapDelete("/volumes/{name}", Remove);
        return app;
    }

    private static VolumeService Service(EngineServices engine) => new(engine.Paths, engine.Loggers.CreateLogger("Volumes"));

    /// <summary>A volume as docker shows it; usage (size, containers) only where docker gives it (system df).</summary>
    internal static object Volume(ContainerVolume volume, object? usage = null) => new
    {
        volume.Name,
        volume.Driver,
        volume.Mountpoint,
        CreatedAt = ImageShapes.Time(volume.CreatedAt),
        Labels = volume.Labels,
        volume.Scope,
        Options = volume.Options,
        UsageData = usage,
    };

    private static IResult List(HttpContext context, EngineServices engine)
    {
        var filters = DockerFilters.Parse(ApiQuery.String(context, "filters"), ListFilters);
        var dangling = filters.GetBool("dangling");
        var volumes = Service(engine).List().Where(v =>
            (dangling is not { } d || d == (v.UsedBy.Count == 0))
            && (!filters.Has("driver") || filters.Get("driver").Contains(v.Driver))
            && (!filters.Has("name") || filters.Get("name").Any(n => v.Name.Contains(n, StringComparison.Ordinal)))
            && filters.MatchesLabels(v.Labels));
        return ApiResults.Json(new { Volumes = volumes.Select(v => Volume(v)).ToList(), Warnings = Array.Empty<string>() });
    }

    private static async Task<IResult> Create(HttpContext context, EngineServices engine)
    {
        var body = await ApiResults.ReadBody<VolumeCreateBody>(context);
        if (body.ClusterVolumeSpec is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) })
        {
            throw ApiException.BadRequest("ClusterVolumeSpec is not supported: cluster volumes belong to swarm");
        }

        var volume = Service(engine).Create(string.IsNullOrEmpty(body.Name) ? null : body.Name, body.Labels, body.DriverOpts, body.Driver, context.RequestAborted);
        return ApiResults.Json(Volume(volume), StatusCodes.Status201Created);
    }

    private static IResult Remove(HttpContext context, EngineServices engine, string name)
    {
        Service(engine).Remove(name, ApiQuery.Bool(context, "force"), context.RequestAborted);
        return ApiResults.NoContent();
    }

    /// <summary>POST /volumes/prune: unused anonymous volumes; with the filter all=true every unused one (API 1.42 and later, as docker).</summary>
    private static IResult Prune(HttpContext context, EngineServices engine)
    {
        var text = ApiQuery.String(context, "filters");
        // docker's volume prune takes no until; label=k / label=k=v must match and label!= must not.
        var filters = DockerFilters.Parse(text, "label", "label!", "all");
        var raw = ApiQuery.Filters(text);
        raw.Remove("all");

        var all = filters.GetBool("all") ?? ApiVersion.Of(context).CompareTo((1, 42)) < 0;
        var result = Service(engine).Prune(all, v => PruneFilter.Matches(raw, v.Labels, v.CreatedAt), context.RequestAborted);
        return ApiResults.Json(new { result.VolumesDeleted, result.SpaceReclaimed });
    }
}
