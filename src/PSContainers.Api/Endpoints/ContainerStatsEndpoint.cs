using System.Globalization;
using PSContainers.Core.Containers;

namespace PSContainers.Api.Endpoints;

/// <summary>GET /containers/{id}/stats: docker's stats JSON from the engine's cgroup figures, one-shot or a line per second.</summary>
internal static class ContainerStatsEndpoint
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    public static async Task Stats(string id, HttpContext context, EngineServices engine)
    {
        var stream = ApiQuery.Bool(context, "stream", absent: true);
        var oneShot = ApiQuery.Bool(context, "one-shot");
        if (oneShot && stream)
        {
            throw ApiException.BadRequest("cannot have stream=true and one-shot=true");
        }

        var containers = engine.Containers;
        var info = containers.Get(id);
        context.Response.ContentType = "application/json";
        if (info.Status is not (ContainerStatus.Running or ContainerStatus.Paused))
        {
            // docker answers a stopped container with one empty sample, which the CLI shows as zeros.
            await context.Response.Body.WriteAsync(ApiJson.Line(Shape(info, null, null)), context.RequestAborted);
            return;
        }

        var previous = Sample(containers, info.Id);
        if (!stream)
        {
            if (oneShot)
            {
                await context.Response.Body.WriteAsync(ApiJson.Line(Shape(info, previous, null)), context.RequestAborted);
                return;
            }

            // Two samples a second apart, so clients can compute a CPU percentage (docker stats --no-stream).
            await Task.Delay(Interval, context.RequestAborted);
            var current = TrySample(containers, info.Id) ?? previous;
            await context.Response.Body.WriteAsync(ApiJson.Line(Shape(info, current, previous)), context.RequestAborted);
            return;
        }

        await context.Response.StartAsync(context.RequestAborted);
        await context.Response.Body.WriteAsync(ApiJson.Line(Shape(info, previous, null)), context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        while (!context.RequestAborted.IsCancellationRequested)
        {
            await Task.Delay(Interval, context.RequestAborted);
            if (TrySample(containers, info.Id) is not { } current)
            {
                break;
            }

            await context.Response.Body.WriteAsync(ApiJson.Line(Shape(info, current, previous)), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            previous = current;
        }
    }

    private sealed record StatsSample(ContainerStatistics Stats, ulong SystemNanoseconds);

    private static StatsSample Sample(IContainerService containers, string id) => new(containers.Stats(id), SystemCpuNanoseconds());

    private static StatsSample? TrySample(IContainerService containers, string id)
    {
        try
        {
            return Sample(containers, id);
        }
        catch (ContainerEngineException)
        {
            // Stopped or removed meanwhile: the stream ends, as docker's does.
            return null;
        }
    }

    /// <summary>The host's total CPU time (all fields of /proc/stat's cpu line), in nanoseconds, as docker's system_cpu_usage.</summary>
    private static ulong SystemCpuNanoseconds()
    {
        foreach (var line in File.ReadLines("/proc/stat"))
        {
            if (line.StartsWith("cpu ", StringComparison.Ordinal))
            {
                ulong ticks = 0;
                foreach (var field in line[4..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(8))
                {
                    ticks += ulong.Parse(field, CultureInfo.InvariantCulture);
                }

                // USER_HZ is 100 on Linux: a tick is 10 ms.
                return ticks * 10_000_000UL;
            }
        }

        return 0;
    }

    private static Dictionary<string, object?> Shape(ContainerInfo info, StatsSample? now, StatsSample? before) => new()
    {
        ["read"] = Models.ContainerInspect.Time(now?.Stats.Time ?? DateTimeOffset.UtcNow),
        ["preread"] = before is null ? "0001-01-01T00:00:00Z" : Models.ContainerInspect.Time(before.Stats.Time),
        ["name"] = "/" + info.Name,
        ["id"] = info.Id,
        ["num_procs"] = 0,
        ["pids_stats"] = new Dictionary<string, object?> { ["current"] = now?.Stats.PidsCurrent ?? 0, ["limit"] = now?.Stats.PidsLimit },
        ["cpu_stats"] = Cpu(now),
        ["precpu_stats"] = Cpu(before),
        ["memory_stats"] = now is null ? new Dictionary<string, object?>() : new Dictionary<string, object?>
        {
            ["usage"] = now.Stats.MemoryUsage,
            ["limit"] = now.Stats.MemoryLimit,
            ["failcnt"] = now.Stats.OomKills,
            ["stats"] = new Dictionary<string, ulong>(),
        },
        ["blkio_stats"] = new Dictionary<string, object?>
        {
            ["io_service_bytes_recursive"] = now is null ? null : new[]
            {
                new { major = 0, minor = 0, op = "read", value = now.Stats.BlockReadBytes },
                new { major = 0, minor = 0, op = "write", value = now.Stats.BlockWriteBytes },
            },
        },
        ["storage_stats"] = new Dictionary<string, object?>(),
        ["networks"] = new Dictionary<string, object?>(),
    };

    private static Dictionary<string, object?> Cpu(StatsSample? sample) => new()
    {
        ["cpu_usage"] = new Dictionary<string, object?>
        {
            ["total_usage"] = sample?.Stats.CpuTotalNanoseconds ?? 0,
            ["usage_in_kernelmode"] = 0,
            ["usage_in_usermode"] = 0,
        },
        ["system_cpu_usage"] = sample?.SystemNanoseconds ?? 0,
        ["online_cpus"] = Environment.ProcessorCount,
        ["throttling_data"] = new { periods = 0, throttled_periods = 0, throttled_time = 0 },
    };
}
