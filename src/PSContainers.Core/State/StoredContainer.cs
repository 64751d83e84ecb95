using PSContainers.Core.Containers;

namespace PSContainers.Core.State;

/// <summary>The engine's persistent record of one container (ROOT/containers/ID/config.json).</summary>
public sealed class StoredContainer
{
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    public DateTimeOffset Created { get; set; }

    public ContainerCreateRequest Config { get; set; } = new();

    /// <summary>Set once the engine found the monitor gone without an exit status: the exit code is lost.</summary>
    public string? MonitorLost { get; set; }
}
