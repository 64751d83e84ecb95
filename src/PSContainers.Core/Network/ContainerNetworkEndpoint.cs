namespace PSContainers.Core.Network;

/// <summary>A container's attachment to one network while it runs: its interface, address, gateway and MAC.</summary>
public sealed class ContainerNetworkEndpoint
{
    public string Network { get; init; } = "";

    /// <summary>The interface inside the container (eth0, eth1, ...).</summary>
    public string Interface { get; init; } = "";

    public string? IPAddress { get; init; }

    public int PrefixLength { get; init; }

    public string? Gateway { get; init; }

    public string? MacAddress { get; init; }

    public IReadOnlyList<string> Aliases { get; init; } = [];

    public override string ToString() => $"{Network}:{IPAddress}";
}
