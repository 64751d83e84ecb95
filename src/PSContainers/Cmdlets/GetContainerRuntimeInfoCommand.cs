using System.Management.Automation;
using PSContainers.Core.Containers;
using PSContainers.Core.OciRuntime;

namespace PSContainers.Cmdlets;

/// <summary>Get-ContainerRuntimeInfo: the pscrun binary shipped with the module, its version and features.</summary>
[Cmdlet(VerbsCommon.Get, "ContainerRuntimeInfo")]
[OutputType(typeof(RuntimeInfo))]
public sealed class GetContainerRuntimeInfoCommand : CmdletBase
{
    /// <summary>Another OCI runtime binary to ask instead of the module's pscrun (e.g. /usr/bin/crun).</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    protected override void ProcessRecord()
    {
        // The engine's runtime unless told otherwise: $env:PSCRUN, else the module's own pscrun.
        var path = Path is null ? MonitorLauncher.DefaultPscrunPath() : GetUnresolvedProviderPathFromPSPath(Path);
        try
        {
            WriteObject(RunWithLogging((log, ct) => RuntimeInfoReader.Read(path, log, ct)));
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidOperationException or InvalidDataException or TimeoutException
            or System.ComponentModel.Win32Exception)
        {
            var category = e is FileNotFoundException ? ErrorCategory.ObjectNotFound : ErrorCategory.InvalidResult;
            WriteError(new ErrorRecord(e, "RuntimeInfoUnavailable", category, path));
        }
    }
}
