using System.Text;
using PSContainers.Core.Api;
using PSContainers.Core.State;
using PSContainers.Native;

namespace PSContainers.Api;

/// <summary>Kestrel on the unix socket (and TCP only when asked), the middleware and the routes.</summary>
internal static class ApiHost
{
    public static WebApplication Build(ApiServiceOptions options)
    {
        var activated = SocketActivated();
        if (!activated)
        {
            // A socket left by a killed service would fail the bind; one a live service holds is refused by name.
            ApiServiceManager.DeleteSocketIfStale(options.Socket);
            Directory.CreateDirectory(Path.GetDirectoryName(options.Socket)!);
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = "/" });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // docker cp, load and build send bodies of any size, and attach streams idle for hours.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MinRequestBodyDataRate = null;
            kestrel.Limits.MinResponseDataRate = null;
            // Every listener gets the half-close middleware: attach and exec clients shut down their sending side.
            kestrel.ConfigureEndpointDefaults(listen => listen.Use(next => connection => HalfClose.Handle(connection, next)));
            if (activated)
            {
                // systemd made the socket (a .socket unit) and owns its path and access: listen on what it passed.
                kestrel.UseSystemd();
            }
            else
            {
                kestrel.ListenUnixSocket(options.Socket);
            }

            if (options.TcpEndPoint() is { } tcp)
            {
                kestrel.Listen(tcp);
            }
        });
        builder.Services.AddSingleton<Runs.ContainerRuns>();
        builder.Services.AddSingleton<Runs.ExecSessions>();
        builder.Services.AddSingleton(sp => new EngineServices(EnginePaths.FromEnvironment(), sp.GetRequiredService<ILoggerFactory>()));

        var app = builder.Build();
        app.UseMiddleware<ErrorMiddleware>();
        app.UseMiddleware<VersionPrefixMiddleware>();
        // Routing runs after the version prefix is gone, so routes are unversioned paths.
        app.UseRouting();
        app.MapApiRoutes();
        // docker's answer for a path no route has, in its error shape, so clients print a message instead of an empty 404.
        app.MapFallback(() => ApiResults.Json(new { message = "page not found" }, StatusCodes.Status404NotFound));

        var manager = new ApiServiceManager();
        app.Lifetime.ApplicationStarted.Register(() => OnStarted(options, manager, activated));
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            manager.RemoveRecord(Environment.ProcessId);
            if (!activated)
            {
                File.Delete(options.Socket);
            }
        });
        return app;
    }

    /// <summary>True when systemd passed this process its listening socket (LISTEN_PID is us and LISTEN_FDS at least 1).</summary>
    private static bool SocketActivated() =>
        Environment.GetEnvironmentVariable("LISTEN_PID") == Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)
        && int.TryParse(Environment.GetEnvironmentVariable("LISTEN_FDS"), out var n) && n >= 1;

    private static void OnStarted(ApiServiceOptions options, ApiServiceManager manager, bool activated)
    {
        try
        {
            if (!activated)
            {
                // Kestrel made the socket with the process umask: set the access asked for before anyone is told it listens.
                var (uid, gid) = options.ResolveOwnership();
                if (uid >= 0 || gid >= 0)
                {
                    Libc.Check(Libc.Chown(options.Socket, unchecked((uint)uid), unchecked((uint)gid)), "chown", options.Socket);
                }

                File.SetUnixFileMode(options.Socket, options.Mode);
            }

            manager.WriteRecord(new ApiServiceRecord
            {
                Pid = Environment.ProcessId,
                Socket = options.Socket,
                Tcp = options.TcpEndPoint()?.ToString(),
                StartedAt = DateTimeOffset.UtcNow,
                ApiVersion = ApiVersion.Current,
                Executable = Environment.ProcessPath ?? "",
                LogFile = options.LogFile ?? "",
            });
            ReportReady(options, "1");
        }
        catch (Exception e)
        {
            ReportReady(options, "error: " + e.Message);
            throw;
        }
    }

    /// <summary>Answers the launcher's ready pipe once ("1" or "error: ..."); a service without one (systemd) has nothing to answer.</summary>
    public static void ReportReady(ApiServiceOptions options, string answer)
    {
        if (options.ReadyFd < 0)
        {
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(answer);
        unsafe
        {
            fixed (byte* p = bytes)
            {
                _ = Libc.Write(options.ReadyFd, p, bytes.Length);
            }
        }

        Libc.Close(options.ReadyFd);
        options.ReadyFd = -1;
    }
}
