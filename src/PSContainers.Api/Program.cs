using System.Text;
using PSContainers.Api;
using PSContainers.Core.Api;
using PSContainers.Native;

ApiServiceOptions options;
try
{
    options = ApiServiceOptions.Parse(args);
    options.Validate();
}
catch (Exception e) when (e is ArgumentException or PSContainers.Core.Containers.ContainerEngineException)
{
    Console.Error.WriteLine($"psc-api: {e.Message}");
    return 2;
}

if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("PSCRUN"))
    && Path.Join(AppContext.BaseDirectory, "..", "pscrun") is var modulePscrun && File.Exists(modulePscrun))
{
    // The service lives in the module's api/ folder; containers run with the module's pscrun beside it.
    Environment.SetEnvironmentVariable("PSCRUN", Path.GetFullPath(modulePscrun));
}

if (!options.Foreground)
{
    // Detached: a session of its own, so the terminal and pwsh that started it can go without taking it along.
    Libc.Setsid();
    if (options.LogFile is { } logFile)
    {
        RedirectOutput(logFile);
    }
}

try
{
    var app = ApiHost.Build(options);
    await app.RunAsync();
    return 0;
}
catch (Exception e)
{
    var message = e is PSContainers.Core.Containers.ContainerEngineException or IOException ? e.Message : e.ToString();
    Console.Error.WriteLine($"psc-api: {message}");
    ApiHost.ReportReady(options, "error: " + e.Message);
    return 1;
}

static void RedirectOutput(string logFile)
{
    Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
    var fd = Libc.Open(logFile, Consts.O_WRONLY | Consts.O_CREAT | Consts.O_APPEND | Consts.O_CLOEXEC, 0x1A0);
    if (fd >= 0)
    {
        Libc.Dup2(fd, 1);
        Libc.Dup2(fd, 2);
        Libc.Close(fd);
    }
}
