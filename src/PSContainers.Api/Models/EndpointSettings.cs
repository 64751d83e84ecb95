using PSContainers.Core.Network;

namespace PSContainers.Api.Models;

/// <summary>A container's settings on one network (NetworkSettings.Networks.NAME in docker inspect and ps).</summary>
internal sealed class EndpointSettings
{
    public object? IPAMConfig { get; set; }
    public List<string>? Links { get; set; }
    public List<string>? Aliases { get; set; }
    public string MacAddress { get; set; } = "";
    public string NetworkID { get; set; } = "";
    public string EndpointID { get; set; } = "";
    public string Gateway { get; set; } = "";
    public string IPAddress { get; set; } = "";
    public int IPPrefixLen { get; set; }
    public string IPv6Gateway { get; set; } = "";
    public string GlobalIPv6Address { get; set; } = "";
    public int GlobalIPv6PrefixLen { get; set; }
    public List<string>? DNSNames { get; set; }

    /// <summary>The settings docker shows; on a user network the container's short id is one of its aliases there, as
    /// docker adds it (docker-compose 1.29 checks for it to tell a container already connected with its aliases).</summary>
    public static EndpointSettings From(ContainerNetworkEndpoint n, string containerId) => new()
    {
        Aliases = n.Network is "bridge" or "host" or "none" || containerId.Length < 12 || n.Aliases.Contains(containerId[..12])
            ? [.. n.Aliases]
            : [.. n.Aliases, containerId[..12]],
        MacAddress = n.MacAddress ?? "",
        NetworkID = n.Network,
        Gateway = n.Gateway ?? "",
        IPAddress = n.IPAddress ?? "",
        IPPrefixLen = n.PrefixLength,
        DNSNames = [.. n.Aliases],
    };

    /// <summary>
    /// NetworkSettings.Networks: the live endpoints, and for a container that is not running the networks it is
    /// configured to join (no address yet), as docker shows them; clients such as docker-compose read the list of a
    /// created container to decide whether to connect it.
    /// </summary>
    public static Dictionary<string, EndpointSettings> NetworksOf(PSContainers.Core.Containers.ContainerInfo c)
    {
        var networks = c.Networks.ToDictionary(n => n.Network, n => From(n, c.Id), StringComparer.Ordinal);
        foreach (var attachment in c.Config.Networking?.Attachments ?? [])
        {
            if (!networks.ContainsKey(attachment.Network))
            {
                networks[attachment.Network] = From(new ContainerNetworkEndpoint { Network = attachment.Network, Aliases = attachment.Aliases }, c.Id);
            }
        }

        return networks;
    }
}
