using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using PSContainers.Api.Models;
using PSContainers.Core.Containers;

namespace PSContainers.Api.Endpoints;

/// <summary>/_ping, /version and /info: what docker clients ask first, to negotiate the API version and show `docker info`.</summary>
internal static class SystemEndpoints
{
    public static IEndpointRouteBuilder MapSystem(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/_ping", ["GET", "HEAD"], Ping);
        app.MapGet("/version", Version);
        app.MapGet("/info", Info);
        app.MapPost("/auth", Auth);
        return app;
    }

    /// <summary>The negotiation call: clients read API-Version from the headers and use it as their prefix.</summary>
    private static IResult Ping(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers["API-Version"] = ApiVersion.Current;
        headers["Docker-Experimental"] = "false";
        headers["Ostype"] = "linux";
        headers["Builder-Version"] = "1";
        headers.CacheControl = "no-cache, no-store, must-revalidate";
        headers.Pragma = "no-cache";
        return HttpMethods.IsHead(context.Request.Method)
            ? Results.Content("", "text/plain; charset=utf-8")
            : Results.Text("OK", "text/plain; charset=utf-8");
    }

    private static IResult Version()
    {
        var kernel = KernelVersion();
        var details = new Dictionary<string, string>
        {
            ["ApiVersion"] = ApiVersion.Current,
            ["MinAPIVersion"] = ApiVersion.Minimum,
            ["Arch"] = GoArch(),
            ["Os"] = "linux",
            ["KernelVersion"] = kernel,
            ["Experimental"] = "false",
            ["GitCommit"] = "",
            ["GoVersion"] = RuntimeInformation.FrameworkDescription,
            ["BuildTime"] = BuildTime(),
        };
        return ApiResults.Json(new VersionResponse
        {
            Platform = new() { Name = "PSContainers Engine" },
            Components = [new() { Name = "Engine", Version = EngineVersion(), Details = details }],
            Version = EngineVersion(),
            ApiVersion = ApiVersion.Current,
            MinAPIVersion = ApiVersion.Minimum,
            GitCommit = "",
            GoVersion = RuntimeInformation.FrameworkDescription,
            Os = "linux",
            Arch = GoArch(),
            KernelVersion = kernel,
            BuildTime = BuildTime(),
        });
    }

    private static IResult Info(EngineServices engine)
    {
        var containers = engine.Containers.List(all: true);
        var images = engine.Images.List();
        var cgroupV2 = File.Exists("/sys/fs/cgroup/cgroup.controllers");
        return ApiResults.Json(new InfoResponse
        {
            ID = EngineId(engine.Paths.Root),
            Containers = containers.Count,
            ContainersRunning = containers.Count(c => c.Status == ContainerStatus.Running),
            ContainersPaused = containers.Count(c => c.Status == ContainerStatus.Paused),
            ContainersStopped = containers.Count(c => c.Status is not (ContainerStatus.Running or ContainerStatus.Paused)),
            Images = images.Count,
            Driver = "overlay",
            DriverStatus = [["Backing Filesystem", "overlay"]],
            Plugins = new()
            {
                Volume = ["local"],
                Network = ["bridge", "host", "none"],
                Authorization = null,
                Log = ["json-file"],
            },
            MemoryLimit = true,
            SwapLimit = true,
            CpuCfsPeriod = true,
            CpuCfsQuota = true,
            CPUShares = true,
            CPUSet = true,
            PidsLimit = true,
            OomKillDisable = false,
            IPv4Forwarding = ReadTrimmed("/proc/sys/net/ipv4/ip_forward") == "1",
            Debug = false,
            NFd = Directory.GetFiles("/proc/self/fd").Length,
            NGoroutines = System.Diagnostics.Process.GetCurrentProcess().Threads.Count,
            SystemTime = DateTimeOffset.Now.ToString("yyyy-MM-ddTHH:mm:ss.fffffffzzz", System.Globalization.CultureInfo.InvariantCulture),
            LoggingDriver = "json-file",
            CgroupDriver = "cgroupfs",
            CgroupVersion = cgroupV2 ? "2" : "1",
            NEventsListener = 0,
            KernelVersion = KernelVersion(),
            OperatingSystem = OsRelease("PRETTY_NAME") ?? "Linux",
            OSVersion = OsRelease("VERSION_ID") ?? "",
            OSType = "linux",
            Architecture = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "aarch64" : "x86_64",
            NCPU = Environment.ProcessorCount,
            MemTotal = MemTotal(),
            IndexServerAddress = "https://index.docker.io/v1/",
            DockerRootDir = engine.Paths.Root,
            Name = Environment.MachineName,
            Labels = [],
            ExperimentalBuild = false,
            ServerVersion = EngineVersion(),
            Runtimes = new() { ["pscrun"] = new() { Path = PSContainers.Core.Containers.MonitorLauncher.DefaultPscrunPath() } },
            DefaultRuntime = "pscrun",
            Swarm = new(),
            LiveRestoreEnabled = true,
            Isolation = "",
            InitBinary = "psc-init",
            SecurityOptions = ["name=seccomp,profile=builtin"],
            Warnings = [],
        });
    }

    /// <summary>POST /auth (docker login): checks the credentials against the registry; the client stores them, this service does not.</summary>
    private static async Task<IResult> Auth(HttpContext context, EngineServices engine)
    {
        using var body = await System.Text.Json.JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var e = body.RootElement;
        string? Field(string name) => e.TryGetProperty(name, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String ? v.GetString() : null;
        var user = Field("username") ?? "";
        var password = Field("password") ?? "";
        var token = Field("identitytoken");
        if (user.Length == 0 && string.IsNullOrEmpty(token))
        {
            throw ApiException.BadRequest("a username (or an identity token) is required");
        }

        var server = Field("serveraddress") is { Length: > 0 } s ? s : "https://index.docker.io/v1/";
        // docker sends its registry's address as a URL; the engine's registry names are hosts.
        var registry = server.Replace("https://", "", StringComparison.Ordinal).Replace("http://", "", StringComparison.Ordinal).TrimEnd('/');
        if (registry == "index.docker.io/v1")
        {
            registry = "docker.io";
        }

        var registries = new PSContainers.Core.Registry.RegistryService(engine.Images, logger: engine.Loggers.CreateLogger("Registry"));
        await registries.VerifyLoginAsync(registry, new PSContainers.Core.Registry.RegistryCredential(user, password, token, "api"), context.RequestAborted);
        return ApiResults.Json(new { Status = "Login Succeeded", IdentityToken = "" });
    }

    /// <summary>The module's version: the engine is PSContainers, which serves docker's API at ApiVersion.Current.</summary>
    private static string EngineVersion() =>
        typeof(ContainerService).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "0.0.0";

    private static string BuildTime() =>
        File.GetLastWriteTimeUtc(typeof(SystemEndpoints).Assembly.Location).ToString("yyyy-MM-ddTHH:mm:ss.000000000+00:00", System.Globalization.CultureInfo.InvariantCulture);

    private static string GoArch() => RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "amd64";

    private static string KernelVersion() => ReadTrimmed("/proc/sys/kernel/osrelease") ?? "";

    /// <summary>Stable per engine root (docker's ID is the daemon's key id): the machine id and the root, hashed.</summary>
    private static string EngineId(string root)
    {
        var machine = ReadTrimmed("/etc/machine-id") ?? "";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(machine + "\n" + root));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }

    private static long MemTotal()
    {
        foreach (var line in File.ReadLines("/proc/meminfo"))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
            {
                var kb = line["MemTotal:".Length..].Trim().Split(' ')[0];
                return long.Parse(kb, System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    private static string? OsRelease(string key)
    {
        if (!File.Exists("/etc/os-release"))
        {
            return null;
        }

        foreach (var line in File.ReadLines("/etc/os-release"))
        {
            if (line.StartsWith(key + "=", StringComparison.Ordinal))
            {
                return line[(key.Length + 1)..].Trim('"');
            }
        }

        return null;
    }

    private static string? ReadTrimmed(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
