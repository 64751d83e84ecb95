namespace PSContainers.Core.Network;

/// <summary>A container network (docker network inspect): a bridge with its subnet, described by a CNI conflist the engine wrote.</summary>
public sealed class ContainerNetwork
{
    public string Name { get; set; } = "";

    /// <summary>64 hex, made when the network is created.</summary>
    public string Id { get; set; } = "";

    public string ShortId => Id.Length > 12 ? Id[..12] : Id;

    /// <summary>Always bridge: the CNI bridge plugin with host-local addresses.</summary>
    public string Driver { get; set; } = "bridge";

    public string Subnet { get; set; } = "";

    public string Gateway { get; set; } = "";

    /// <summary>The part of the subnet containers get addresses from; null for the whole subnet.</summary>
    public string? IPRange { get; set; }

    /// <summary>No NAT and no default route: containers reach only each other and the gateway.</summary>
    public bool Internal { get; set; }

    /// <summary>The engine's default network (made on first use; containers without -Network join it).</summary>
    public bool IsDefault { get; set; }

    /// <summary>The Linux bridge interface on the host.</summary>
    public string Bridge { get; set; } = "";

    public Dictionary<string, string> Labels { get; set; } = [];

    public DateTimeOffset Created { get; set; }

    /// <summary>The CNI network configuration list (a user or a CNI tool can read it).</summary>
    public string ConfigFile { get; set; } = "";

    /// <summary>Names of the containers created on this network (running or not).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<string> Containers { get; set; } = [];

    public override string ToString() => Name;
}
