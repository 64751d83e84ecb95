using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Features;
using PSContainers.Api.Models;
using PSContainers.Api.Runs;
using PSContainers.Core.Containers;

namespace PSContainers.Api.Endpoints;

/// <summary>/containers/...: create, list, inspect and the life cycle of containers (docker run, ps, inspect, stop, ...).</summary>
internal static class ContainersEndpoints
{
    public static IEndpointRouteBuilder MapContainers(this IEndpointRouteBuilder app)
    {
        app.MapGet("/containers/json", List);
        app.MapPost("/containers/create", Create);
        app.MapPost("/containers/prune", Prune);
        app.MapGet("/containers/{id}/json", Inspect);
        app.MapPost("/containers/{id}/start", Start);
        app.MapPost("/containers/{id}/stop", Stop);
        app.MapPost("/containers/{id}/kill", Kill);
        app.MapPost("/containers/{id}/restart", Restart);
        app.MapPost("/containers/{id}/pause", (string id, EngineServices engine) => Act(() => engine.Containers.Pause(id)));
        app.MapPost("/containers/{id}/unpause", (string id, EngineServices engine) => Act(() => engine.Containers.Resume(id)));
        app.MapPost("/containers/{id}/rename", Rename);
        app.MapPost("/containers/{id}/update", Update);
        app.MapPost("/containers/{id}/wait", Wait);
        app.MapPost("/containers/{id}/attach", Attach);
        app.MapPost("/containers/{id}/resize", Resize);
        app.MapGet("/containers/{id}/logs", ContainerLogsEndpoint.Logs);
        app.MapGet("/containers/{id}/top", Top);
        app.MapGet("/containers/{id}/stats", ContainerStatsEndpoint.Stats);
        app.MapGet("/containers/{id}/changes", Changes);
        app.MapGet("/containers/{id}/export", Export);
        app.MapMethods("/containers/{id}/archive", ["GET", "HEAD"], ContainerArchiveEndpoint.Get);
        app.MapPut("/containers/{id}/archive", ContainerArchiveEndpoint.Put);
        app.MapDelete("/containers/{id}", Remove);
        return app;
    }

    private static IResult List(HttpContext context, EngineServices engine)
    {
        var all = ApiQuery.Bool(context, "all");
        var limit = ApiQuery.Int(context, "limit");
        if (ApiQuery.Bool(context, "size"))
        {
            throw ApiException.BadRequest("size=1 is not supported: container sizes are not computed (docker ps -s)");
        }

        var filters = ContainerFilters.Parse(ApiQuery.String(context, "filters"));
        var everything = engine.Containers.List(all: true).ToList();
        filters.Bind(everything);
        var containers = everything
            .Where(c => (all || filters.ImpliesAll || c.Status is ContainerStatus.Running or ContainerStatus.Paused) && filters.Matches(c))
            .OrderByDescending(c => c.Created);
        var list = (limit is > 0 ? containers.Take(limit.Value) : containers).Select(ContainerSummary.From).ToList();
        return ApiResults.Json(list);
    }

    private static async Task<IResult> Create(HttpContext context, EngineServices engine)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var request = ContainerCreateReader.Read(body.RootElement, ApiQuery.String(context, "name"));
        if (ApiQuery.String(context, "platform") is { } platform)
        {
            request.Platform = platform;
        }

        ContainerInfo info;
        try
        {
            info = engine.Containers.Create(request, context.RequestAborted);
        }
        catch (ContainerEngineException e) when (e.Kind == ContainerErrorKind.NotFound && e.ErrorId is not ("ImageNotFound" or "PlatformNotFound"))
        {
            // The docker CLI takes any 404 from create for a missing image and pulls it, hiding the real cause (a network,
            // a --volumes-from container, a bind source): only a missing image answers 404 here.
            throw ApiException.BadRequest(ApiErrors.DockerMessage(e));
        }

        return ApiResults.Json(new { Id = info.Id, Warnings = Array.Empty<string>() }, StatusCodes.Status201Created);
    }

    private static IResult Inspect(string id, EngineServices engine)
    {
        var info = engine.Containers.Get(id);
        return ApiResults.Json(ContainerInspect.From(info, engine.Paths.StateDir(info.Id)));
    }

    private static IResult Start(string id, HttpContext context, EngineServices engine, ContainerRuns runs)
    {
        if (ApiQuery.String(context, "detachKeys") is not null)
        {
            // Only attach and exec read detach keys; start has no stream to watch.
            throw ApiException.BadRequest("detachKeys on start is not supported: give them to attach");
        }

        var containers = engine.Containers;
        var info = containers.Get(id);
        if (info.Status is ContainerStatus.Running or ContainerStatus.Paused)
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        runs.Start(containers, info.Id, context.RequestAborted);
        return ApiResults.NoContent();
    }

    private static async Task<IResult> Stop(string id, HttpContext context, EngineServices engine)
    {
        var containers = engine.Containers;
        var info = containers.Get(id);
        if (info.Status is not (ContainerStatus.Running or ContainerStatus.Paused))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        var timeout = ApiQuery.Int(context, "t");
        var signal = ApiQuery.String(context, "signal");
        await Task.Run(() => containers.Stop(info.Id, signal, timeout is { } t && t >= 0 ? TimeSpan.FromSeconds(t) : null, context.RequestAborted));
        return ApiResults.NoContent();
    }

    private static IResult Kill(string id, HttpContext context, EngineServices engine)
    {
        var containers = engine.Containers;
        var info = containers.Get(id);
        if (info.Status is not (ContainerStatus.Running or ContainerStatus.Paused))
        {
            throw ApiException.Conflict($"Cannot kill container: {id}: container {info.Id} is not running");
        }

        containers.Kill(info.Id, ApiQuery.String(context, "signal") ?? "KILL", context.RequestAborted);
        return ApiResults.NoContent();
    }

    private static async Task<IResult> Restart(string id, HttpContext context, EngineServices engine, ContainerRuns runs)
    {
        var containers = engine.Containers;
        var info = containers.Get(id);
        var timeout = ApiQuery.Int(context, "t");
        if (info.Status is ContainerStatus.Running or ContainerStatus.Paused)
        {
            await Task.Run(() => containers.Stop(info.Id, ApiQuery.String(context, "signal"), timeout is { } t && t >= 0 ? TimeSpan.FromSeconds(t) : null, context.RequestAborted));
        }

        // Started attached, as start does, so waits and attach clients see the new run's exit.
        runs.Start(containers, info.Id, context.RequestAborted);
        return ApiResults.NoContent();
    }

    private static IResult Rename(string id, HttpContext context, EngineServices engine)
    {
        var name = ApiQuery.String(context, "name") ?? throw ApiException.BadRequest("rename needs a name (query parameter name)");
        engine.Containers.Rename(id, name.TrimStart('/'));
        return ApiResults.NoContent();
    }

    private static async Task<IResult> Update(string id, HttpContext context, EngineServices engine)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var resources = ContainerUpdateReader.Read(body.RootElement);
        engine.Containers.Update(id, resources);
        return ApiResults.Json(new { Warnings = Array.Empty<string>() });
    }

    private static IResult Remove(string id, HttpContext context, EngineServices engine)
    {
        if (ApiQuery.Bool(context, "link"))
        {
            throw ApiException.BadRequest("link=1 is not supported: PSContainers has no legacy links");
        }

        engine.Containers.Remove(id, ApiQuery.Bool(context, "force"), ApiQuery.Bool(context, "v"), context.RequestAborted);
        return ApiResults.NoContent();
    }

    private static IResult Prune(HttpContext context, EngineServices engine)
    {
        var filters = ApiQuery.Filters(ApiQuery.String(context, "filters"));
        ApiQuery.OnlyFilters(filters, "label", "label!", "until");
        var containers = engine.Containers;
        var deleted = new List<string>();
        foreach (var c in containers.List(all: true).Where(c => c.Status is ContainerStatus.Exited or ContainerStatus.Created))
        {
            if (PruneFilter.Matches(filters, c.Labels, c.Created))
            {
                containers.Remove(c.Id, force: false, removeVolumes: false, context.RequestAborted);
                deleted.Add(c.Id);
            }
        }

        return ApiResults.Json(new { ContainersDeleted = deleted, SpaceReclaimed = 0L });
    }

    /// <summary>
    /// POST /containers/{id}/wait: the 200 and its headers go out at once (clients send this before start); the body,
    /// {"StatusCode": N}, when the condition is met. With condition=removed the code comes from the run's exit frame,
    /// so an auto-removed container still reports how it ended.
    /// </summary>
    private static async Task Wait(string id, HttpContext context, EngineServices engine, ContainerRuns runs)
    {
        var condition = ApiQuery.String(context, "condition") ?? "not-running";
        if (condition is not ("not-running" or "next-exit" or "removed"))
        {
            throw ApiException.BadRequest($"invalid condition: \"{condition}\"");
        }

        var containers = engine.Containers;
        var info = containers.Get(id);
        if (info.Status is ContainerStatus.Created or ContainerStatus.Exited && condition != "not-running")
        {
            // docker run sends the wait before start: that start must attach so this wait gets the exit code.
            runs.Expect(info.Id);
        }

        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        var exit = await ContainerWaiter.WaitAsync(containers, runs, info, condition, context.RequestAborted);
        object? error = exit.Error is null ? null : new { Message = exit.Error };
        await context.Response.Body.WriteAsync(ApiJson.Line(new { StatusCode = exit.ExitCode, Error = error }), context.RequestAborted);
    }

    /// <summary>POST /containers/{id}/attach: hijacked; output from now on, stdin to the container, until it ends or the client detaches.</summary>
    private static async Task Attach(string id, HttpContext context, EngineServices engine, ContainerRuns runs)
    {
        var containers = engine.Containers;
        var info = containers.Get(id);
        var stdin = ApiQuery.Bool(context, "stdin");
        var stdout = ApiQuery.Bool(context, "stdout");
        var stderr = ApiQuery.Bool(context, "stderr");
        if (ApiQuery.Bool(context, "logs"))
        {
            throw ApiException.BadRequest("logs=1 on attach is not supported: read the log through /containers/{id}/logs");
        }

        if (!ApiQuery.Bool(context, "stream", absent: true) && !stdin)
        {
            throw ApiException.BadRequest("stream=0 on attach is not supported: attach streams output as it comes");
        }

        var detachKeys = Hijack.ParseDetachKeys(ApiQuery.String(context, "detachKeys"));
        ChannelReader<OutputChunk>? output = null;
        Channel<OutputChunk>? pending = null;
        ContainerRun? run = null;
        if (info.Status is ContainerStatus.Running or ContainerStatus.Paused)
        {
            run = runs.AttachRunning(containers, info.Id);
            output = run.Subscribe();
        }
        else if (info.Status == ContainerStatus.Created || info.Status == ContainerStatus.Exited)
        {
            // docker run and docker start -a attach first and start after: the run that starts it adopts this reader.
            pending = runs.SubscribeBeforeStart(info.Id);
            output = pending.Reader;
        }

        var hijack = await Hijack.Accept(context, multiplexed: !info.Config.Tty);
        // Not the request's token: a client without stdin half-closes the connection (docker run without -i), which
        // Kestrel reports as an aborted request, yet it still reads the output. A gone client fails the next write.
        using var done = new CancellationTokenSource();
        try
        {
            var copyOut = output is null ? Task.CompletedTask : hijack.CopyOutput(output, stdout, stderr, done.Token);
            Task<bool> copyIn = Task.FromResult(false);
            if (stdin && info.Config.OpenStdin)
            {
                copyIn = Task.Run(async () =>
                {
                    // Input that arrives before the run exists waits for it (docker run -i attaches before start).
                    while (run is null && !done.IsCancellationRequested)
                    {
                        run = runs.Find(info.Id);
                        if (run is null)
                        {
                            await runs.WaitForStart(info.Id, TimeSpan.FromMilliseconds(500), done.Token);
                        }
                    }

                    return await hijack.CopyInput(data => run?.WriteInput(data.Span), () => run?.EndInput(), detachKeys, done.Token);
                }, done.Token);
            }

            var first = await Task.WhenAny(copyOut, copyIn.ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default));
            if (first != copyOut && copyIn.IsCompletedSuccessfully && !copyIn.Result)
            {
                // stdin ended without a detach: keep sending output until the container ends.
                await copyOut;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The client went away.
        }
        finally
        {
            done.Cancel();
            if (pending is not null)
            {
                runs.CancelPending(info.Id, pending);
            }

            if (run is not null && output is not null)
            {
                run.Unsubscribe(output);
            }
        }
    }

    private static IResult Resize(string id, HttpContext context, EngineServices engine, ContainerRuns runs)
    {
        var (rows, columns) = ResizeSize(context);
        var info = engine.Containers.Get(id);
        if (info.Status is not (ContainerStatus.Running or ContainerStatus.Paused))
        {
            throw ApiException.Conflict($"Container {info.Id} is not running");
        }

        var run = runs.AttachRunning(engine.Containers, info.Id);
        run.Resize(rows, columns);
        return Results.Ok();
    }

    internal static (ushort Rows, ushort Columns) ResizeSize(HttpContext context)
    {
        var h = ApiQuery.Int(context, "h") ?? 0;
        var w = ApiQuery.Int(context, "w") ?? 0;
        if (h is < 0 or > ushort.MaxValue || w is < 0 or > ushort.MaxValue)
        {
            throw ApiException.BadRequest($"invalid terminal size {h}x{w}");
        }

        return ((ushort)h, (ushort)w);
    }

    private static IResult Top(string id, HttpContext context, EngineServices engine)
    {
        if (ApiQuery.String(context, "ps_args") is { } args && args != "-ef")
        {
            throw ApiException.BadRequest($"ps_args \"{args}\" is not supported: the process list has the columns of ps -ef");
        }

        var processes = engine.Containers.Top(id);
        var now = DateTime.Now;
        return ApiResults.Json(new
        {
            Titles = new[] { "UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD" },
            Processes = processes.Select(p => new[]
            {
                p.Uid.ToString(CultureInfo.InvariantCulture), p.Pid.ToString(CultureInfo.InvariantCulture), p.ParentPid.ToString(CultureInfo.InvariantCulture),
                "0", now.ToString("HH:mm", CultureInfo.InvariantCulture), "?", p.CpuTime.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture),
                p.CommandLine.Length > 0 ? p.CommandLine : p.Command,
            }).ToList(),
        });
    }

    private static IResult Changes(string id, EngineServices engine) =>
        ApiResults.Json(engine.Containers.Diff(id).Select(c => new
        {
            c.Path,
            Kind = c.Kind switch { ContainerChangeKind.Added => 1, ContainerChangeKind.Deleted => 2, _ => 0 },
        }).ToList());

    private static async Task Export(string id, HttpContext context, EngineServices engine)
    {
        var containers = engine.Containers;
        var info = containers.Get(id);
        context.Response.ContentType = "application/x-tar";
        context.Features.Get<IHttpBodyControlFeature>()!.AllowSynchronousIO = true;
        await context.Response.StartAsync(context.RequestAborted);
        await Task.Run(() => containers.Export(info.Id, context.Response.Body, context.RequestAborted));
    }

    private static IResult Act(Func<ContainerInfo> action)
    {
        action();
        return ApiResults.NoContent();
    }
}
