using System.Text.Json;
using PSContainers.Api.Runs;
using PSContainers.Core.Containers;
using PSContainers.Native;

namespace PSContainers.Api.Endpoints;

/// <summary>/containers/{id}/exec and /exec/{id}/...: commands run in a running container (docker exec).</summary>
internal static class ExecEndpoints
{
    private static readonly HashSet<string> CreateFields =
    [
        "AttachStdin", "AttachStdout", "AttachStderr", "DetachKeys", "Tty", "Env", "Cmd", "Privileged", "User", "WorkingDir", "ConsoleSize", "Detach",
    ];

    public static IEndpointRouteBuilder MapExec(this IEndpointRouteBuilder app)
    {
        app.MapPost("/containers/{id}/exec", Create);
        app.MapPost("/exec/{id}/start", Start);
        app.MapPost("/exec/{id}/resize", Resize);
        app.MapGet("/exec/{id}/json", Inspect);
        return app;
    }

    private static async Task<IResult> Create(string id, HttpContext context, EngineServices engine, ExecSessions sessions)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var e = body.RootElement;
        ContainerCreateReader.RefuseUnknown(e, CreateFields, "");
        var info = engine.Containers.Get(id);
        if (info.Status != ContainerStatus.Running)
        {
            throw ApiException.Conflict($"container {info.Id} is not running");
        }

        var tty = Bool(e, "Tty");
        var stdin = Bool(e, "AttachStdin");
        var request = new ContainerExecRequest
        {
            Command = StrList(e, "Cmd") is { Count: > 0 } cmd ? cmd : throw ApiException.BadRequest("No exec command specified"),
            User = Str(e, "User"),
            WorkingDirectory = Str(e, "WorkingDir"),
            Privileged = Bool(e, "Privileged"),
        };
        foreach (var entry in StrList(e, "Env") ?? [])
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                request.Environment[entry[..eq]] = entry[(eq + 1)..];
            }
        }

        var session = sessions.Add(execId =>
        {
            request.ExecId = execId;
            return new ExecSession(execId, info.Id, request, tty, stdin, Bool(e, "AttachStdout"), Bool(e, "AttachStderr"), Str(e, "DetachKeys"));
        });
        session.ConsoleSize = ConsoleSize(e);
        engine.Containers.RecordExecEvent(info.Id, "exec_create", request);
        return ApiResults.Json(new { Id = session.Id }, StatusCodes.Status201Created);
    }

    private static async Task Start(string id, HttpContext context, EngineServices engine, ExecSessions sessions, ILogger<ExecSessions> log)
    {
        var session = sessions.Get(id);
        // A hijacking start's body arrives in a header (HijackRequestRewriter): Kestrel upgrades only bodiless requests.
        using var body = context.Request.Headers[HijackRequestRewriter.BodyHeader].ToString() is { Length: > 0 } moved
            ? JsonDocument.Parse(Convert.FromBase64String(moved))
            : await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        ContainerCreateReader.RefuseUnknown(body.RootElement, ["Detach", "Tty", "ConsoleSize"], "");
        if (ConsoleSize(body.RootElement) is { Rows: > 0 } size)
        {
            session.ConsoleSize = size;
        }

        lock (session)
        {
            if (session.Started)
            {
                throw ApiException.Conflict($"exec {session.Id} has already been started");
            }

            session.Started = true;
            session.Running = true;
        }

        var containers = engine.Containers;
        if (Bool(body.RootElement, "Detach"))
        {
            // Runs on after this request: its exit code is read through /exec/{id}/json.
            _ = Task.Run(() => RunDetached(containers, session));
            context.Response.StatusCode = StatusCodes.Status200OK;
            return;
        }

        var detachKeys = Hijack.ParseDetachKeys(session.DetachKeys);
        var hijack = await Hijack.Accept(context, multiplexed: !session.Tty);
        // The detached path goes through Exec, which records its own start and die.
        containers.RecordExecEvent(session.ContainerId, "exec_start", session.Request);
        try
        {
            // Not the request's token: a client without stdin half-closes the hijacked connection, which Kestrel
            // reports as an aborted request while the client still reads the output.
            if (session.Tty)
            {
                await RunTerminal(containers, session, hijack, detachKeys, CancellationToken.None);
            }
            else
            {
                await RunPipes(containers, session, hijack);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The client went away; the exec's process ends with its terminal or runs to its end.
        }
        finally
        {
            session.Running = false;
            log.LogInformation("exec {Exec} in {Container} ended with {ExitCode}", session.Id[..12], session.ContainerId[..12], session.ExitCode);
            try
            {
                containers.RecordExecEvent(session.ContainerId, "exec_die", session.Request, session.ExitCode ?? 126);
            }
            catch (ContainerEngineException)
            {
                // The container was removed while the exec ran: there is no container left to name in the event.
            }
        }
    }

    private static void RunDetached(IContainerService containers, ExecSession session)
    {
        try
        {
            session.ExitCode = containers.Exec(session.ContainerId, session.Request).ExitCode;
        }
        catch (ContainerEngineException)
        {
            session.ExitCode = 126;
        }
        finally
        {
            session.Running = false;
        }
    }

    /// <summary>
    /// A non-tty exec (docker exec, docker exec -i): the process's stdout and stderr as multiplexed frames, byte for
    /// byte; the client's stdin, when attached, to the process's stdin until the client half-closes its side.
    /// </summary>
    private static async Task RunPipes(IContainerService containers, ExecSession session, Hijack hijack)
    {
        ExecProcess process;
        try
        {
            process = containers.StartExecProcess(session.ContainerId, session.Request, session.AttachStdin && hijack.Input is not null);
        }
        catch (ContainerEngineException e)
        {
            await hijack.Write(new OutputChunk(MultiplexedStream.Stderr, System.Text.Encoding.UTF8.GetBytes(e.Message + "\n")), CancellationToken.None);
            session.ExitCode = e.ExitCode ?? 126;
            return;
        }

        using (process)
        {
            var output = System.Threading.Channels.Channel.CreateBounded<OutputChunk>(new System.Threading.Channels.BoundedChannelOptions(64) { SingleReader = true });
            using var clientGone = new CancellationTokenSource();
            var lastError = Array.Empty<byte>();
            var pumps = Task.WhenAll(
                Pump(process.Output, MultiplexedStream.Stdout, output.Writer, clientGone.Token, _ => { }),
                Pump(process.Error, MultiplexedStream.Stderr, output.Writer, clientGone.Token, data => lastError = data));
            _ = pumps.ContinueWith(_ => output.Writer.TryComplete(), TaskScheduler.Default);
            var copyIn = session.AttachStdin
                ? hijack.CopyInput(data => process.WriteInput(data.Span), process.CloseInput, [], clientGone.Token)
                : Task.FromResult(false);
            try
            {
                await hijack.CopyOutput(output.Reader, session.AttachStdout, session.AttachStderr, CancellationToken.None);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // The client went away: the process runs on to its end, its output read and dropped (as docker does).
                process.CloseInput();
                await clientGone.CancelAsync();
            }

            await pumps;
            var exitCode = await process.WaitForExitAsync();
            await clientGone.CancelAsync();
            try
            {
                await copyIn;
            }
            catch (OperationCanceledException)
            {
                // The run ended before the client closed its input.
            }

            // pscrun's own failure (the command could not be started) is exit 1 with a "pscrun: " line, docker's 126.
            session.ExitCode = exitCode == 1 && System.Text.Encoding.UTF8.GetString(lastError).Contains("pscrun: ", StringComparison.Ordinal) ? 126 : exitCode;
        }
    }

    /// <summary>Reads one of the process's streams to its end, as chunks for the client until the client is gone.</summary>
    private static async Task Pump(Stream stream, byte kind, System.Threading.Channels.ChannelWriter<OutputChunk> output, CancellationToken clientGone, Action<byte[]> seen)
    {
        var buffer = new byte[32 * 1024];
        int n;
        while ((n = await stream.ReadAsync(buffer, CancellationToken.None)) > 0)
        {
            var data = buffer.AsSpan(0, n).ToArray();
            seen(data);
            if (!clientGone.IsCancellationRequested)
            {
                try
                {
                    await output.WriteAsync(new OutputChunk(kind, data), clientGone);
                }
                catch (OperationCanceledException)
                {
                    // Dropped: nobody reads any more.
                }
            }
        }
    }

    /// <summary>A tty exec (docker exec -it): the process on a pty of its own, its output raw, the client's input to the pty.</summary>
    private static async Task RunTerminal(IContainerService containers, ExecSession session, Hijack hijack, byte[] detachKeys, CancellationToken cancellationToken)
    {
        using var terminal = containers.StartExecTerminal(session.ContainerId, session.Request, cancellationToken);
        session.Terminal = terminal;
        if (session.ConsoleSize is { Rows: > 0, Columns: > 0 } size)
        {
            terminal.Resize(size.Rows, size.Columns);
        }

        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var output = System.Threading.Channels.Channel.CreateUnbounded<OutputChunk>();
        var pump = new Thread(() => PumpTerminal(terminal, output.Writer, done.Token)) { IsBackground = true, Name = "exec " + session.Id[..12] };
        pump.Start();
        var copyIn = session.AttachStdin
            ? hijack.CopyInput(data => terminal.WriteInput(data.Span), () => { }, detachKeys, done.Token)
            : Task.FromResult(false);
        var copyOut = hijack.CopyOutput(output.Reader, true, true, done.Token);
        var first = await Task.WhenAny(copyOut, copyIn);
        if (first == copyIn && copyIn.IsCompletedSuccessfully && !copyIn.Result)
        {
            await copyOut;
        }

        done.Cancel();
        await Task.Run(pump.Join, CancellationToken.None);
        session.ExitCode = terminal.ExitCode;
        session.Terminal = null;
    }

    private static unsafe void PumpTerminal(ExecTerminal terminal, System.Threading.Channels.ChannelWriter<OutputChunk> output, CancellationToken cancellationToken)
    {
        try
        {
            var pfd = new PollFd { Fd = terminal.OutputFd, Events = Consts.POLLIN };
            while (!cancellationToken.IsCancellationRequested)
            {
                pfd.REvents = 0;
                if (Libc.Poll(&pfd, 1, 200) <= 0)
                {
                    continue;
                }

                if (!terminal.ReadOutput(data => output.TryWrite(new OutputChunk(MultiplexedStream.Stdout, data.ToArray()))))
                {
                    break;
                }
            }
        }
        finally
        {
            output.TryComplete();
        }
    }

    private static IResult Resize(string id, HttpContext context, ExecSessions sessions)
    {
        var session = sessions.Get(id);
        var (rows, columns) = ContainersEndpoints.ResizeSize(context);
        if (session.Terminal is { } terminal)
        {
            terminal.Resize(rows, columns);
        }
        else
        {
            // The CLI may resize before the terminal exists: the size applies when it starts.
            session.ConsoleSize = (rows, columns);
        }

        return Results.Ok();
    }

    private static IResult Inspect(string id, ExecSessions sessions)
    {
        var s = sessions.Get(id);
        return ApiResults.Json(new
        {
            ID = s.Id,
            Running = s.Running,
            ExitCode = s.ExitCode,
            ProcessConfig = new
            {
                tty = s.Tty,
                entrypoint = s.Request.Command[0],
                arguments = s.Request.Command.Skip(1).ToList(),
                privileged = s.Request.Privileged,
                user = s.Request.User ?? "",
            },
            OpenStdin = s.AttachStdin,
            OpenStderr = s.AttachStderr,
            OpenStdout = s.AttachStdout,
            CanRemove = false,
            ContainerID = s.ContainerId,
            DetachKeys = s.DetachKeys ?? "",
            Pid = 0,
        });
    }

    private static (ushort Rows, ushort Columns) ConsoleSize(JsonElement e) =>
        e.TryGetProperty("ConsoleSize", out var size) && size.ValueKind == JsonValueKind.Array && size.GetArrayLength() == 2
            ? ((ushort)Math.Clamp(size[0].GetInt32(), 0, ushort.MaxValue), (ushort)Math.Clamp(size[1].GetInt32(), 0, ushort.MaxValue))
            : default;

    private static bool Bool(JsonElement obj, string name) => obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    private static string? Str(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString()!.Length > 0 ? v.GetString() : null;

    private static List<string>? StrList(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(x => x.GetString() ?? "").ToList() : null;
}
