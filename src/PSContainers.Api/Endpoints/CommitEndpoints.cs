using System.Text.Json;
using PSContainers.Api.Images;
using PSContainers.Core.Build;
using PSContainers.Core.Images;

namespace PSContainers.Api.Endpoints;

/// <summary>POST /commit (docker commit): a container's changes as a new image, through the builder's commit (New-ContainerImage -Container).</summary>
internal static class CommitEndpoints
{
    public static IEndpointRouteBuilder MapCommit(this IEndpointRouteBuilder app)
    {
        app.MapPost("/commit", Commit);
        return app;
    }

    private static async Task<IResult> Commit(HttpContext context, EngineServices engine)
    {
        var container = ApiQuery.String(context, "container") ?? throw ApiException.BadRequest("commit needs a container (query parameter container)");
        var repo = ApiQuery.String(context, "repo");
        var tag = ApiQuery.String(context, "tag");
        if (repo is null && tag is not null)
        {
            throw ApiException.BadRequest("tag given without repo: name the repository to tag the new image");
        }

        var request = new CommitRequest
        {
            Container = container,
            Message = ApiQuery.String(context, "comment"),
            Author = ApiQuery.String(context, "author"),
            // docker pauses unless told not to: an absent pause means true.
            Pause = ApiQuery.Bool(context, "pause", absent: true),
            // The CLI sends one "changes" per --change; a value may also hold several lines, as docker accepts.
            Changes = context.Request.Query["changes"].SelectMany(c => (c ?? "").Split('\n')).Where(c => c.Trim().Length > 0).ToList(),
        };
        if (repo is not null)
        {
            var name = tag is null ? repo : repo + ":" + tag;
            // A bad name is refused before anything is written.
            ImageReference.Parse(name);
            request.Tags.Add(name);
        }

        if (context.Request.ContentLength is not 0)
        {
            using var body = await ReadBody(context);
            request.Config = body is null ? null : CommitConfigReader.Read(body.RootElement);
        }

        var builder = new BuildService(engine.Paths, engine.Loggers.CreateLogger("Commit"));
        var image = await Task.Run(() => builder.Commit(request, context.RequestAborted), context.RequestAborted);
        return ApiResults.Json(new { Id = image.Id }, StatusCodes.Status201Created);
    }

    /// <summary>The body as JSON, or null when it is empty (clients without a Config may send none).</summary>
    private static async Task<JsonDocument?> ReadBody(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        if (buffer.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(buffer.ToArray());
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"the commit body is not JSON: {e.Message}");
        }
    }
}
