using System.Management.Automation;
using PSContainers.Core.Network;

namespace PSContainers.Cmdlets;

/// <summary>Get-ContainerPort (docker port): the published ports of running containers, optionally only one container port.</summary>
[Cmdlet(VerbsCommon.Get, "ContainerPort")]
[OutputType(typeof(ContainerPortMapping))]
public sealed class GetContainerPortCommand : ContainerIdentityCmdletBase
{
    /// <summary>Only this container port (80 or 80/tcp).</summary>
    [Parameter(Position = 1)]
    public string? Port { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var id in Id)
        {
            var ports = Engine(id, (engine, _) => ((Core.Containers.IContainerNetworkService)engine).GetPorts(id));
            foreach (var port in ports ?? [])
            {
                if (Port is null || Port == port.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) || Port == $"{port.ContainerPort}/{port.Protocol}")
                {
                    WriteObject(port);
                }
            }
        }
    }
}
