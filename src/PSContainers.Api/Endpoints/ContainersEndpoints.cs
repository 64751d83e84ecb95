using PSContainers.Api.Models;

namespace PSContainers.Api.Endpoints;

/// <summary>/containers/...: create, list, inspect and the life cycle of containers (docker run, ps, inspect, stop, ...).</summary>
internal static class ContainersEndpoints
{
    public static IEndpointRouteBuilder MapContainers(this IEndpointRouteBuilder app)
    {
        app.MapGet("/containers/json", List);
        return app;
    }

    private static IResult List(HttpContext context, EngineServices engine)
    {
        var all = ApiQuery.Bool(context, "all");
        var limit = ApiQuery.Int(context, "limit");
        var filters = ContainerFilters.Parse(ApiQuery.String(context, "filters"));
        var containers = engine.Containers.List(all: true)
            .Where(c => (all || filters.ImpliesAll || c.Status is Core.Containers.ContainerStatus.Running or Core.Containers.ContainerStatus.Paused) && filters.Matches(c))
            .OrderByDescending(c => c.Created);
        var list = (limit is > 0 ? containers.Take(limit.Value) : containers).Select(ContainerSummary.From).ToList();
        return ApiResults.Json(list);
    }
}
