using PSContainers.Core.Volumes;

namespace PSContainers.Cmdlets;

/// <summary>Shared plumbing of the volume cmdlets: one VolumeService call with its log in the Verbose stream, failures as ErrorRecords.</summary>
public abstract class VolumeCmdletBase : ContainerCmdletBase
{
    /// <summary>Runs one volume call; a failure becomes a non-terminating error and null.</summary>
    protected T? Volumes<T>(object target, Func<VolumeService, CancellationToken, T> work)
    {
        try
        {
            return RunWithLogging((log, ct) => work(new VolumeService(logger: log), ct));
        }
        catch (Exception e) when (ToErrorRecord(e, target) is { } record)
        {
            WriteError(record);
            return default;
        }
    }
}
