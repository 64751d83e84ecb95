using PSContainers.Api.Build;
using PSContainers.Api.Images;
using PSContainers.Core.Build;
using PSContainers.Core.Images;

namespace PSContainers.Api.Endpoints;

/// <summary>POST /build: the classic builder's endpoint (DOCKER_BUILDKIT=0 docker build, docker-compose 1.29), a tar context in the body, through the engine's builder.</summary>
internal static class BuildEndpoints
{
    public static IEndpointRouteBuilder MapBuild(this IEndpointRouteBuilder app)
    {
        app.MapPost("/build", Build);
        app.MapPost("/build/prune", Prune);
        return app;
    }

    private static async Task Build(HttpContext context, EngineServices engine)
    {
        var (request, quiet) = BuildQuery.Parse(context.Request.Query);
        // The client's logins (the docker CLI sends every one it has) serve the FROM pulls of this build only.
        request.RegistryCredentials = RegistryAuthHeader.DecodeConfig(context.Request.Headers["X-Registry-Config"]);
        foreach (var tag in request.Tags)
        {
            // A bad tag is refused before the context is read, as docker does.
            ImageReference.Parse(tag);
        }

        await using var upload = await Upload.SpoolAsync(context, engine.Paths);
        await using var archive = File.OpenRead(upload.Path);
        request.ContextArchive = archive;
        var builder = new BuildService(engine.Paths, engine.Loggers.CreateLogger("Build"));
        var stream = new JsonMessageStream(context);
        await stream.RunAsync(async () =>
        {
            void Output(BuildOutputLine line)
            {
                if (!quiet)
                {
                    stream.Post(JsonMessage.OfStream(BuildOutputFormat.Line(line)));
                }
            }

            // The builder is synchronous (it waits on its stages' containers): a pool thread runs it.
            var image = await Task.Run(() => builder.Build(request, Output, null, context.RequestAborted), context.RequestAborted);
            stream.Post(JsonMessage.OfAux(new { ID = image.Id }));
            if (quiet)
            {
                stream.Post(JsonMessage.OfStream(image.Id));
                return;
            }

            foreach (var text in BuildOutputFormat.Success(image.Id, request.Tags.Select(t => ImageReference.Parse(t).FamiliarName)))
            {
                stream.Post(JsonMessage.OfStream(text));
            }
        });
    }

    /// <summary>
    /// POST /build/prune (docker builder prune, and the last step of docker system prune): the engine's build cache,
    /// through the image service (Clear-ContainerResource -BuildCache empties the same cache).
    /// </summary>
    private static IResult Prune(HttpContext context, EngineServices engine)
    {
        foreach (var space in new[] { "keep-storage", "reserved-space", "max-used-space", "min-free-space" })
        {
            if (ApiQuery.String(context, space) is { } value && value != "0")
            {
                throw ApiException.BadRequest($"{space} is not supported: the build cache is pruned by age (until) or whole, not down to a size");
            }
        }

        var filters = DockerFilters.Parse(ApiQuery.String(context, "filters"), "until", "id", "parent", "type", "description", "inuse", "shared", "private");
        foreach (var name in new[] { "id", "parent", "type", "description", "inuse", "shared", "private" })
        {
            if (filters.Has(name))
            {
                throw ApiException.BadRequest($"the build cache prune filter '{name}' is not supported: only until is (the cache here has steps, not BuildKit records)");
            }
        }

        var until = filters.Get("until") is { Count: > 0 } times ? times.Select(PruneFilter.Until).Min() : (DateTimeOffset?)null;
        var result = engine.Images.PruneBuildCache(ApiQuery.Bool(context, "all"), until, context.RequestAborted);
        return ApiResults.Json(new { result.CachesDeleted, result.SpaceReclaimed });
    }
}
