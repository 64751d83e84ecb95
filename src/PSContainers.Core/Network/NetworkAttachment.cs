namespace PSContainers.Core.Network;

/// <summary>One network a container is connected to, with what it asked for there.</summary>
public sealed class NetworkAttachment
{
    public string Network { get; set; } = "";

    /// <summary>Extra names other containers on this network find it by (its name and short id always work).</summary>
    public List<string> Aliases { get; set; } = [];

    /// <summary>A fixed IPv4 address from the network's subnet; null for the next free one.</summary>
    public string? IPAddress { get; set; }

    public string? MacAddress { get; set; }
}
