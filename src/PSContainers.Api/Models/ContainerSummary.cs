using System.Globalization;
using System.Text.Json.Serialization;
using PSContainers.Core.Containers;

namespace PSContainers.Api.Models;

/// <summary>One item of GET /containers/json (docker ps).</summary>
internal sealed class ContainerSummary
{
    public string Id { get; set; } = "";
    public List<string> Names { get; set; } = [];
    public string Image { get; set; } = "";
    public string ImageID { get; set; } = "";
    public string Command { get; set; } = "";
    public long Created { get; set; }
    public List<PortEntry> Ports { get; set; } = [];
    public IReadOnlyDictionary<string, string> Labels { get; set; } = new Dictionary<string, string>();
    public string State { get; set; } = "";
    public string Status { get; set; } = "";
    public Dictionary<string, string> HostConfig { get; set; } = [];
    public Dictionary<string, object> NetworkSettings { get; set; } = [];
    public List<MountPoint> Mounts { get; set; } = [];

    /// <summary>Only with size=1 (docker ps -s), as docker leaves them out otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? SizeRw { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? SizeRootFs { get; set; }

    public static ContainerSummary From(ContainerInfo c) => new()
    {
        Id = c.Id,
        Names = ["/" + c.Name],
        Image = c.Image ?? c.RootFs,
        ImageID = c.ImageId ?? "",
        Command = string.Join(' ', c.Command.Select(Quote)),
        Created = c.Created.ToUnixTimeSeconds(),
        Ports = c.Ports.Select(p => new PortEntry { IP = p.HostIP.Length == 0 ? "0.0.0.0" : p.HostIP, PrivatePort = p.ContainerPort, PublicPort = p.HostPort, Type = p.Protocol }).ToList(),
        Labels = c.Labels,
        State = ContainerFilters.StateName(c.Status),
        Status = c.StatusText,
        HostConfig = new() { ["NetworkMode"] = NetworkMode(c.Config) },
        NetworkSettings = new() { ["Networks"] = EndpointSettings.NetworksOf(c).ToDictionary(n => n.Key, n => (object)n.Value) },
        Mounts = c.Mounts.Select(MountPoint.From).ToList(),
    };

    public static string NetworkMode(ContainerCreateRequest config) => config.Network.Length == 0 ? "bridge" : config.Network;

    private static string Quote(string word) =>
        word.Length > 0 && !word.Any(ch => char.IsWhiteSpace(ch) || ch == '"') ? word : "\"" + word.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    internal sealed class PortEntry
    {
        public string IP { get; set; } = "";
        public int PrivatePort { get; set; }
        public int PublicPort { get; set; }
        public string Type { get; set; } = "";
    }
}
