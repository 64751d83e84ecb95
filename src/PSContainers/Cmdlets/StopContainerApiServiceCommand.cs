using System.Management.Automation;
using PSContainers.Core.Api;

namespace PSContainers.Cmdlets;

/// <summary>Stop-ContainerApiService: stops the API service of this engine state by its recorded pid; containers keep running.</summary>
[Cmdlet(VerbsLifecycle.Stop, "ContainerApiService", SupportsShouldProcess = true)]
[OutputType(typeof(ApiServiceInfo))]
public sealed class StopContainerApiServiceCommand : ApiServiceCmdletBase
{
    [Parameter]
    [ValidateRange(0, 3600)]
    public int TimeoutSeconds { get; set; } = 10;

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (ShouldProcess("the Docker Engine API service", "Stop")
            && Service("api-service", (manager, ct) => manager.Stop(TimeSpan.FromSeconds(TimeoutSeconds), ct)) is { } info && PassThru)
        {
            WriteObject(info);
        }
    }
}
