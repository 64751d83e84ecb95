using System.Collections;
using System.Management.Automation;
using PSContainers.Core.Network;

namespace PSContainers.Cmdlets;

/// <summary>New-ContainerNetwork (docker network create): a bridge network with its own subnet, written as a CNI conflist.</summary>
[Cmdlet(VerbsCommon.New, "ContainerNetwork", SupportsShouldProcess = true)]
[OutputType(typeof(ContainerNetwork))]
public sealed class NewContainerNetworkCommand : NetworkCmdletBase
{
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>IPv4 CIDR (10.90.7.0/24); a free /24 when not given.</summary>
    [Parameter]
    public string? Subnet { get; set; }

    /// <summary>The bridge's address; the subnet's first host address when not given.</summary>
    [Parameter]
    public string? Gateway { get; set; }

    /// <summary>A CIDR inside the subnet that container addresses come from.</summary>
    [Parameter]
    public string? IPRange { get; set; }

    /// <summary>No NAT and no default route: containers reach only each other.</summary>
    [Parameter]
    public SwitchParameter Internal { get; set; }

    [Parameter]
    public Hashtable? Label { get; set; }

    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Name, "Create container network"))
        {
            return;
        }

        var request = new NetworkCreateRequest { Name = Name, Subnet = Subnet, Gateway = Gateway, IPRange = IPRange, Internal = Internal };
        foreach (DictionaryEntry e in Label ?? [])
        {
            request.Labels[e.Key.ToString()!] = e.Value?.ToString() ?? "";
        }

        if (Networks(Name, (service, ct) => service.CreateNetwork(request, ct)) is { } network)
        {
            WriteObject(network);
        }
    }
}
