namespace PSContainers.Core.Network;

/// <summary>The network options of a container (docker run's --network-alias, --ip, --dns, --add-host, --publish, ...).</summary>
public sealed class NetworkOptions
{
    /// <summary>The networks the container joins when it starts, the one of -Network first; Connect-/Disconnect-ContainerNetwork change it.</summary>
    public List<NetworkAttachment> Attachments { get; set; } = [];

    /// <summary>Nameservers for /etc/resolv.conf instead of the host's.</summary>
    public List<string> Dns { get; set; } = [];

    public List<string> DnsSearch { get; set; } = [];

    public List<string> DnsOptions { get; set; } = [];

    /// <summary>Extra /etc/hosts lines as name:ip.</summary>
    public List<string> AddHosts { get; set; } = [];

    /// <summary>
    /// Legacy links, CONTAINER[:ALIAS] (docker run --link): the alias names that container in this one's /etc/hosts
    /// (it must share a network with this one); one way only, as docker's links on a user network.
    /// </summary>
    public List<string> Links { get; set; } = [];

    /// <summary>-Publish as given: [ip:][hostPort[-end]:]containerPort[/tcp|udp].</summary>
    public List<string> Publish { get; set; } = [];

    /// <summary>Publish every port the image exposes on a free host port.</summary>
    public bool PublishAll { get; set; }
}
