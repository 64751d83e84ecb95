using PSContainers.Core.Api;

namespace PSContainers.Cmdlets;

/// <summary>Shared plumbing of the API service cmdlets: one ApiServiceManager call, engine failures as ErrorRecords.</summary>
public abstract class ApiServiceCmdletBase : ContainerCmdletBase
{
    /// <summary>Runs one service-manager call; a failure becomes a non-terminating error and null.</summary>
    protected T? Service<T>(object target, Func<ApiServiceManager, CancellationToken, T> work)
    {
        try
        {
            return RunWithLogging((_, ct) => work(new ApiServiceManager(), ct));
        }
        catch (Exception e) when (ToErrorRecord(e, target) is { } record)
        {
            WriteError(record);
            return default;
        }
    }
}
