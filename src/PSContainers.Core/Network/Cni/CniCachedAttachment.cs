using System.Text.Json.Nodes;

namespace PSContainers.Core.Network.Cni;

/// <summary>What one ADD left in the cache: the config list it ran, its runtime arguments and its result.</summary>
public sealed record CniCachedAttachment(CniConfigList List, CniRuntimeConf Runtime, JsonObject? Result)
{
    public string Network => List.Name;

    public string ContainerId => Runtime.ContainerId;

    public string IfName => Runtime.IfName;
}
