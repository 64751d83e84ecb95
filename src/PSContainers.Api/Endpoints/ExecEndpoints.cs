namespace PSContainers.Api.Endpoints;

/// <summary>/containers/{id}/exec and /exec/{id}/...: commands run in a running container (docker exec).</summary>
internal static class ExecEndpoints
{
    public static IEndpointRouteBuilder MapExec(this IEndpointRouteBuilder app)
    {
        return app;
    }
}
