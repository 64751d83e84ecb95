using PSContainers.Core.Volumes;

namespace PSContainers.Api.Models;

/// <summary>One entry of Mounts in docker ps and docker inspect.</summary>
internal sealed class MountPoint
{
    public string Type { get; set; } = "";
    public string? Name { get; set; }
    public string Source { get; set; } = "";
    public string Destination { get; set; } = "";
    public string? Driver { get; set; }
    public string Mode { get; set; } = "";
    public bool RW { get; set; }
    public string Propagation { get; set; } = "";

    public static MountPoint From(ContainerMount m) => new()
    {
        Type = m.Type, Name = m.Name, Source = m.Source, Destination = m.Destination, Driver = m.Driver,
        Mode = m.Mode, RW = m.RW, Propagation = m.Propagation,
    };
}
