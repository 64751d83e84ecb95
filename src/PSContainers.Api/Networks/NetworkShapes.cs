using System.Security.Cryptography;
using System.Text;
using PSContainers.Api.Images;
using PSContainers.Core.Containers;
using PSContainers.Core.Network;

namespace PSContainers.Api.Networks;

/// <summary>The JSON docker's API gives for a network (list and inspect), and the list's filters.</summary>
internal static class NetworkShapes
{
    public static readonly string[] ListFilters = ["name", "id", "driver", "label", "type", "scope", "dangling"];

    /// <summary>A network as docker shows it; containers is the Containers map (inspect), empty in a list as docker's is.</summary>
    public static object Network(ContainerNetwork network, IReadOnlyList<ContainerInfo> containers) => new
    {
        network.Name,
        network.Id,
        Created = ImageShapes.Time(network.Created),
        Scope = "local",
        network.Driver,
        EnableIPv4 = true,
        EnableIPv6 = false,
        IPAM = new
        {
            Driver = "default",
            Options = new Dictionary<string, string>(),
            Config = new[] { Ipam(network) },
        },
        network.Internal,
        Attachable = false,
        Ingress = false,
        ConfigFrom = new { Network = "" },
        ConfigOnly = false,
        Containers = containers.ToDictionary(c => c.Id, c => Endpoint(network, c)),
        // A user network has the options it was made with (none are taken), as docker's; compose compares them and
        // would call a network with options it did not give "changed". The default network names its bridge, as docker0.
        Options = network.IsDefault ? new Dictionary<string, string> { ["com.docker.network.bridge.name"] = network.Bridge } : [],
        Labels = network.Labels,
    };

    private static Dictionary<string, string> Ipam(ContainerNetwork network)
    {
        var config = new Dictionary<string, string> { ["Subnet"] = network.Subnet, ["Gateway"] = network.Gateway };
        if (network.IPRange is { Length: > 0 } range)
        {
            config["IPRange"] = range;
        }

        return config;
    }

    private static object Endpoint(ContainerNetwork network, ContainerInfo container)
    {
        var endpoint = container.Networks.FirstOrDefault(e => e.Network == network.Name);
        return new
        {
            container.Name,
            EndpointID = EndpointId(network.Id, container.Id),
            MacAddress = endpoint?.MacAddress ?? "",
            IPv4Address = endpoint?.IPAddress is { } ip ? $"{ip}/{endpoint.PrefixLength}" : "",
            IPv6Address = "",
        };
    }

    /// <summary>A stable id for a container's attachment to a network (docker's endpoint id); the engine keeps none of its own.</summary>
    public static string EndpointId(string networkId, string containerId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(networkId + "/" + containerId)));

    /// <summary>docker's network list filters: name and id match parts (name anywhere, id from its start), type builtin is the default network.</summary>
    public static bool Matches(ContainerNetwork network, DockerFilters filters)
    {
        bool Any(string filter, Func<string, bool> test) => !filters.Has(filter) || filters.Get(filter).Any(test);
        return Any("name", n => network.Name.Contains(n, StringComparison.Ordinal))
            && Any("id", i => network.Id.StartsWith(i, StringComparison.Ordinal))
            && Any("driver", d => d == network.Driver)
            && Any("scope", s => s == "local")
            && Any("type", t => t switch
            {
                "builtin" => network.IsDefault,
                "custom" => !network.IsDefault,
                _ => throw ApiException.BadRequest($"invalid filter 'type={t}': expected builtin or custom"),
            })
            && (filters.GetBool("dangling") is not { } dangling || dangling == (network.Containers.Count == 0))
            && filters.MatchesLabels(network.Labels);
    }
}
