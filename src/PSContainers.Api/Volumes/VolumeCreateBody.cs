using System.Text.Json;

namespace PSContainers.Api.Volumes;

/// <summary>POST /volumes/create's body.</summary>
internal sealed class VolumeCreateBody
{
    public string? Name { get; set; }

    public string? Driver { get; set; }

    public Dictionary<string, string>? DriverOpts { get; set; }

    public Dictionary<string, string>? Labels { get; set; }

    public JsonElement? ClusterVolumeSpec { get; set; }
}
