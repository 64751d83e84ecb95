using System.Management.Automation;
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
        var path = Path is null
            ? System.IO.Path.Join(System.IO.Path.GetDirectoryName(typeof(GetContainerRuntimeInfoCommand).Assembly.Location), "pscrun")
            : GetUnresolvedProviderPathFromPSPath(Path);
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
