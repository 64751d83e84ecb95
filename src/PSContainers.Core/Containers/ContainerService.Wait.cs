using PSContainers.Runtime.Health;

namespace PSContainers.Core.Containers;

// Wait-Container's conditions other than the default (ContainerService.Wait), and health.
public sealed partial class ContainerService
{
    private static readonly TimeSpan ConditionPoll = TimeSpan.FromMilliseconds(100);

    /// <summary>Waits for a condition; returns the exit code (the last one for Removed, -1 when unknown; 0 for Healthy).</summary>
    public int Wait(string idOrName, ContainerWaitCondition condition, CancellationToken cancellationToken = default) => condition switch
    {
        ContainerWaitCondition.NotRunning => Wait(idOrName, cancellationToken),
        ContainerWaitCondition.NextExit => WaitNextExit(idOrName, cancellationToken),
        ContainerWaitCondition.Removed => WaitRemoved(idOrName, cancellationToken),
        ContainerWaitCondition.Healthy => WaitHealthy(idOrName, cancellationToken) is not null ? 0 : -1,
        _ => throw ContainerEngineException.Invalid($"Unknown wait condition {condition}."),
    };

    /// <summary>Waits until the container's health check says healthy and returns the container then.</summary>
    public ContainerInfo WaitHealthy(string idOrName, CancellationToken cancellationToken = default)
    {
        var id = Store.Resolve(idOrName);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var info = Inspect(id) ?? throw ContainerEngineException.NotFound(idOrName);
            if (!File.Exists(Path.Combine(Paths.BundleDir(id), HealthConfig.FileName)))
            {
                throw new ContainerEngineException("NoHealthcheck",
                    $"Container {info.Name} has no health check: give it one with -HealthCommand (or an image HEALTHCHECK), or wait for another condition.",
                    ContainerErrorKind.InvalidState, idOrName);
            }

            switch (info.Health?.Status)
            {
                case HealthState.Healthy when info.Status is ContainerStatus.Running:
                    return info;
                case HealthState.Unhealthy when info.Status is ContainerStatus.Running:
                    throw new ContainerEngineException("ContainerUnhealthy",
                        $"Container {info.Name} is unhealthy: {info.Health.Log.LastOrDefault()?.Output.Trim()}", ContainerErrorKind.InvalidState, idOrName);
            }

            if (info.Status is ContainerStatus.Exited || (info.Status is ContainerStatus.Created && !MonitorAlive(id)))
            {
                throw new ContainerEngineException("ContainerNotRunning",
                    $"Container {info.Name} is not running ({info.StatusText}); it cannot become healthy.", ContainerErrorKind.InvalidState, idOrName);
            }

            cancellationToken.WaitHandle.WaitOne(ConditionPoll);
        }
    }

    private int WaitNextExit(string idOrName, CancellationToken cancellationToken)
    {
        var id = Store.Resolve(idOrName);
        var before = MonitorStatus.TryRead(Path.Combine(Paths.StateDir(id), StatusFile));
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Store.TryLoad(id) is null)
            {
                throw ContainerEngineException.NotFound(idOrName);
            }

            // An exit is a new finishedAt (a restart after it keeps it until the next exit).
            var now = MonitorStatus.TryRead(Path.Combine(Paths.StateDir(id), StatusFile));
            if (now?.FinishedAt is not null && now.FinishedAt != before?.FinishedAt)
            {
                return now.ExitCode ?? -1;
            }

            cancellationToken.WaitHandle.WaitOne(ConditionPoll);
        }
    }

    private int WaitRemoved(string idOrName, CancellationToken cancellationToken)
    {
        var id = Store.Resolve(idOrName);
        var code = -1;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var info = Inspect(id);
            if (info is null)
            {
                return code;
            }

            code = info.ExitCode ?? code;
            cancellationToken.WaitHandle.WaitOne(ConditionPoll);
        }
    }
}
