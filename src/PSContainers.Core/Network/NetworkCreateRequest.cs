namespace PSContainers.Core.Network;

/// <summary>What New-ContainerNetwork asks for; empty values are chosen by the engine.</summary>
public sealed class NetworkCreateRequest
{
    public string Name { get; set; } = "";

    public string? Subnet { get; set; }

    public string? Gateway { get; set; }

    public string? IPRange { get; set; }

    public bool Internal { get; set; }

    public Dictionary<string, string> Labels { get; set; } = [];
}
