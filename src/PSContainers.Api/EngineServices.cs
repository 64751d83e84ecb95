using PSContainers.Core.Containers;
using PSContainers.Core.Images;
using PSContainers.Core.State;

namespace PSContainers.Api;

/// <summary>
/// The engine the endpoints call: the same Core services and state (PSCONTAINERS_ROOT, PSCONTAINERS_RUNROOT) the
/// cmdlets use, so a container made through the API is a container of Get-Container and the reverse.
/// </summary>
internal sealed class EngineServices(EnginePaths paths, ILoggerFactory loggers)
{
    public EnginePaths Paths { get; } = paths;

    public ILoggerFactory Loggers { get; } = loggers;

    /// <summary>A container service per call: it holds no state of its own beyond the paths (the store is on disk, under locks).</summary>
    public IContainerService Containers => new ContainerService(Paths, Loggers.CreateLogger("Containers"));

    public ImageService Images => new(Paths, Loggers.CreateLogger("Images"));
}
