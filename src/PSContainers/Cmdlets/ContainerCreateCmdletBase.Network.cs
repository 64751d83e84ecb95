using System.Management.Automation;
using PSContainers.Completers;
using PSContainers.Core.Containers;
using PSContainers.Core.Network;

namespace PSContainers.Cmdlets;

// docker run's network options, shared by New-Container and Invoke-Container.
public abstract partial class ContainerCreateCmdletBase
{
    /// <summary>A network name (the default network when not given), none, host, or container:NAME.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string? Network { get; set; }

    /// <summary>More names other containers on the network find this one by.</summary>
    [Parameter]
    public string[] NetworkAlias { get; set; } = [];

    /// <summary>A fixed IPv4 address from the network's subnet.</summary>
    [Parameter]
    public string? IPAddress { get; set; }

    [Parameter]
    public string? MacAddress { get; set; }

    /// <summary>Nameservers for the container's /etc/resolv.conf.</summary>
    [Parameter]
    public string[] Dns { get; set; } = [];

    [Parameter]
    public string[] DnsSearch { get; set; } = [];

    [Parameter]
    public string[] DnsOption { get; set; } = [];

    /// <summary>Extra /etc/hosts entries as name:ip.</summary>
    [Parameter]
    public string[] AddHost { get; set; } = [];

    /// <summary>CONTAINER[:ALIAS]: a legacy link (docker run --link), the alias naming that container in this one's /etc/hosts.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ContainerNameCompleter))]
    public string[] Link { get; set; } = [];

    /// <summary>[ip:][hostPort[-end]:]containerPort[/tcp|udp].</summary>
    [Parameter]
    public string[] Publish { get; set; } = [];

    /// <summary>Publish every port the image exposes on a free host port.</summary>
    [Parameter]
    public SwitchParameter PublishAll { get; set; }

    private void ApplyNetworkParameters(ContainerCreateRequest request)
    {
        request.Network = Network ?? "";
        var options = new NetworkOptions
        {
            Dns = [.. Dns], DnsSearch = [.. DnsSearch], DnsOptions = [.. DnsOption], AddHosts = [.. AddHost], Publish = [.. Publish], PublishAll = PublishAll,
            Links = [.. Link],
        };
        if (NetworkAlias.Length > 0 || IPAddress is not null || MacAddress is not null)
        {
            options.Attachments.Add(new NetworkAttachment { Network = request.Network, Aliases = [.. NetworkAlias], IPAddress = IPAddress, MacAddress = MacAddress });
        }

        request.Networking = options;
    }
}
