using System.Text.Json;

namespace PSContainers.Api;

/// <summary>Writing docker-shaped responses: JSON bodies, errors, and streams of JSON lines.</summary>
internal static class ApiResults
{
    public static IResult Json<T>(T value, int status = StatusCodes.Status200OK) =>
        Results.Json(value, ApiJson.Options, "application/json", status);

    /// <summary>204 No Content: what docker answers to start, stop, kill, remove and the like.</summary>
    public static IResult NoContent() => Results.StatusCode(StatusCodes.Status204NoContent);

    public static async Task WriteError(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(ApiJson.Line(new ErrorBody(message)), context.RequestAborted);
    }

    /// <summary>
    /// Streams one JSON line per item, flushed as it is made (docker stats, pull progress, events): the body is
    /// chunked, and a client reads each object as soon as it arrives.
    /// </summary>
    public static async Task StreamJsonLines<T>(HttpContext context, IAsyncEnumerable<T> items)
    {
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(context.RequestAborted);
        await foreach (var item in items.WithCancellation(context.RequestAborted))
        {
            await context.Response.Body.WriteAsync(ApiJson.Line(item), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }

    /// <summary>Reads a JSON request body; an empty body is the type's defaults (docker clients send none for some calls).</summary>
    public static async Task<T> ReadBody<T>(HttpContext context) where T : new()
    {
        if (context.Request.ContentLength == 0)
        {
            return new T();
        }

        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        if (buffer.Length == 0)
        {
            return new T();
        }

        buffer.Position = 0;
        return await JsonSerializer.DeserializeAsync<T>(buffer, ApiJson.Options, context.RequestAborted) ?? new T();
    }

    private sealed record ErrorBody(string message);
}
