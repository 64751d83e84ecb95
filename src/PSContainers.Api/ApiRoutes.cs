using PSContainers.Api.Endpoints;

namespace PSContainers.Api;

/// <summary>The one list of endpoint groups: each group's file maps its unversioned paths (the version prefix is stripped before routing).</summary>
internal static class ApiRoutes
{
    public static IEndpointRouteBuilder MapApiRoutes(this IEndpointRouteBuilder app)
    {
        app.MapSystem();
        app.MapContainers();
        app.MapExec();
        app.MapEvents();
        app.MapImages();
        app.MapBuild();
        app.MapCommit();
        app.MapNetworks();
        app.MapVolumes();
        app.MapSystemDf();
        return app;
    }
}
