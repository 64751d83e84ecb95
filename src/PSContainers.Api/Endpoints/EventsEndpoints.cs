using System.Text;
using System.Threading.Channels;
using PSContainers.Core.Containers;
using PSContainers.Core.Events;

namespace PSContainers.Api.Endpoints;

/// <summary>/events (docker events): the engine's event journal, streamed as docker streams it, with since, until and filters.</summary>
internal static class EventsEndpoints
{
    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder app)
    {
        app.MapGet("/events", Events);
        return app;
    }

    /// <summary>
    /// One JSON message per line, as each is recorded. As docker's daemon: without until the stream stays open (after
    /// the events from since, when given); with an until in the past the recorded events come and the stream ends.
    /// </summary>
    private static async Task Events(HttpContext context, EngineServices engine)
    {
        var now = DateTimeOffset.Now;
        DateTimeOffset? since, until;
        EventFilter filter;
        try
        {
            since = ApiQuery.String(context, "since") is { } s ? EventTime.Parse(s, "since", now) : null;
            until = ApiQuery.String(context, "until") is { } u ? EventTime.Parse(u, "until", now) : null;
            filter = new EventFilter();
            foreach (var (key, values) in ApiQuery.Filters(ApiQuery.String(context, "filters")))
            {
                foreach (var value in values)
                {
                    filter.Add(key, value);
                }
            }
        }
        catch (ContainerEngineException e)
        {
            throw ApiException.BadRequest(e.Message);
        }

        // docker's daemon replays its buffer when either bound is given: with only until, from the start of it.
        if (since is null && until is not null)
        {
            since = DateTimeOffset.UnixEpoch;
        }

        var events = new EventService(engine.Paths);
        var aborted = context.RequestAborted;
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(aborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(aborted).ConfigureAwait(false);

        // The journal is followed by a bounded poll on a thread of its own; the request's thread only writes.
        var channel = Channel.CreateBounded<ContainerEvent>(256);
        var reader = Task.Factory.StartNew(() =>
        {
            try
            {
                foreach (var e in events.Follow(since, until, filter, aborted))
                {
                    if (!channel.Writer.TryWrite(e))
                    {
                        channel.Writer.WriteAsync(e, aborted).AsTask().GetAwaiter().GetResult();
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                channel.Writer.TryComplete();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            await foreach (var e in channel.Reader.ReadAllAsync(aborted).ConfigureAwait(false))
            {
                await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(e.Json + "\n"), aborted).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(aborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away.
        }

        await reader.ConfigureAwait(false);
    }
}
