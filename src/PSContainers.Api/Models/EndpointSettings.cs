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

    public static EndpointSettings From(ContainerNetworkEndpoint n) => new()
    {
        Aliases = [.. n.Aliases],
        MacAddress = n.MacAddress ?? "",
        NetworkID = n.Network,
        Gateway = n.Gateway ?? "",
        IPAddress = n.IPAddress ?? "",
        IPPrefixLen = n.PrefixLength,
        DNSNames = [.. n.Aliases],
    };
}
