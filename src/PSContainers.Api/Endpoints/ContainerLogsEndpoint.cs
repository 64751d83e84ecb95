using System.Globalization;
using System.Text;
using System.Threading.Channels;
using PSContainers.Api.Models;
using PSContainers.Core.Containers;

namespace PSContainers.Api.Endpoints;

/// <summary>GET /containers/{id}/logs: the container's log, multiplexed unless it has a tty; follow streams new lines as they come.</summary>
internal static class ContainerLogsEndpoint
{
    public static async Task Logs(string id, HttpContext context, EngineServices engine)
    {
        var follow = ApiQuery.Bool(context, "follow");
        var stdout = ApiQuery.Bool(context, "stdout");
        var stderr = ApiQuery.Bool(context, "stderr");
        var timestamps = ApiQuery.Bool(context, "timestamps");
        if (!stdout && !stderr)
        {
            throw ApiException.BadRequest("Bad parameters: you must choose at least one stream");
        }

        int? tail = ApiQuery.String(context, "tail") is { } t && t != "all"
            ? (int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw ApiException.BadRequest($"invalid tail value \"{t}\""))
            : null;
        var since = UnixTime(ApiQuery.String(context, "since"), "since");
        var until = UnixTime(ApiQuery.String(context, "until"), "until");

        var containers = engine.Containers;
        var info = containers.Get(id);
        var tty = info.Config.Tty;
        var lines = Channel.CreateBounded<ContainerLogEntry>(new BoundedChannelOptions(1024) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var reader = Task.Run(async () =>
        {
            try
            {
                foreach (var entry in containers.ReadLog(info.Id, follow, tail, since, stop.Token))
                {
                    await lines.Writer.WriteAsync(entry, stop.Token);
                }

                lines.Writer.TryComplete();
            }
            catch (Exception e)
            {
                lines.Writer.TryComplete(e);
            }
        }, CancellationToken.None);

        context.Response.ContentType = tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream";
        await context.Response.StartAsync(context.RequestAborted);
        try
        {
            await foreach (var entry in lines.Reader.ReadAllAsync(context.RequestAborted))
            {
                if (until is { } u && entry.Time > u)
                {
                    break;
                }

                var isErr = entry.Stream == "stderr";
                if ((isErr && !stderr) || (!isErr && !stdout))
                {
                    continue;
                }

                var text = (timestamps ? ContainerInspect.Time(entry.Time) + " " : "") + entry.Text + "\n";
                var bytes = Encoding.UTF8.GetBytes(text);
                await context.Response.Body.WriteAsync(tty ? bytes : MultiplexedStream.Frame(isErr ? MultiplexedStream.Stderr : MultiplexedStream.Stdout, bytes), context.RequestAborted);
                if (lines.Reader.Count == 0)
                {
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                }
            }
        }
        finally
        {
            stop.Cancel();
            await reader;
        }
    }

    /// <summary>docker's since/until: Unix seconds with an optional fraction; 0 or absent is no bound.</summary>
    private static DateTimeOffset? UnixTime(string? text, string name)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            throw ApiException.BadRequest($"invalid value for {name}: \"{text}\" is not a Unix time in seconds");
        }

        return seconds == 0 ? null : DateTimeOffset.UnixEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond));
    }
}
