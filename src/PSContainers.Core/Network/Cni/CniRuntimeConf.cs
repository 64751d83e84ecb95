using System.Text.Json.Nodes;

namespace PSContainers.Core.Network.Cni;

/// <summary>What a runtime tells the plugins about one attachment: CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS and the capability arguments.</summary>
public sealed class CniRuntimeConf
{
    public required string ContainerId { get; init; }

    /// <summary>The network namespace path; empty when it is gone (DEL after a reboot), as the spec allows for DEL.</summary>
    public string NetNs { get; set; } = "";

    public required string IfName { get; init; }

    /// <summary>CNI_ARGS as key=value pairs.</summary>
    public List<KeyValuePair<string, string>> Args { get; init; } = [];

    /// <summary>Values for the "capabilities" a plugin declares (portMappings, ips, mac, ...); injected as runtimeConfig.</summary>
    public Dictionary<string, JsonNode?> CapabilityArgs { get; init; } = [];
}
