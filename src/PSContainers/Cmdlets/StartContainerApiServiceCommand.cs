using System.Management.Automation;
using PSContainers.Core.Api;

namespace PSContainers.Cmdlets;

/// <summary>Start-ContainerApiService (podman system service): serves the Docker Engine API on a unix socket.</summary>
[Cmdlet(VerbsLifecycle.Start, "ContainerApiService", SupportsShouldProcess = true)]
[OutputType(typeof(ApiServiceInfo))]
public sealed class StartContainerApiServiceCommand : ApiServiceCmdletBase
{
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Socket { get; set; } = ApiServiceOptions.DefaultSocket;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SocketOwner { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SocketGroup { get; set; }

    [Parameter]
    [ValidatePattern("^[0-7]{3,4}$")]
    public string? SocketMode { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Tcp { get; set; }

    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSeconds { get; set; } = 60;

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var socket = GetUnresolvedProviderPathFromPSPath(Socket);
        var options = new ApiServiceOptions { Socket = socket, SocketOwner = SocketOwner, SocketGroup = SocketGroup, SocketMode = SocketMode, Tcp = Tcp };
        if (ShouldProcess(socket, "Start the Docker Engine API service")
            && Service(socket, (manager, ct) => manager.Start(options, TimeSpan.FromSeconds(TimeoutSeconds), ct)) is { } info && PassThru)
        {
            WriteObject(info);
        }
    }
}
