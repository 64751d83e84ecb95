using System.Management.Automation;
using PSContainers.Core.Api;

namespace PSContainers.Cmdlets;

/// <summary>Get-ContainerApiService: the API service of this engine state (socket, pid, running or not); nothing when none is recorded.</summary>
[Cmdlet(VerbsCommon.Get, "ContainerApiService")]
[OutputType(typeof(ApiServiceInfo))]
public sealed class GetContainerApiServiceCommand : ApiServiceCmdletBase
{
    protected override void ProcessRecord()
    {
        if (Service("api-service", (manager, _) => manager.Get()) is { } info)
        {
            WriteObject(info);
        }
    }
}
