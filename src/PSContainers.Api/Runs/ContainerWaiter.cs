using PSContainers.Core.Containers;

namespace PSContainers.Api.Runs;

/// <summary>docker's wait conditions over the engine: not-running, next-exit and removed.</summary>
internal static class ContainerWaiter
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    public static async Task<(int ExitCode, string? Error)> WaitAsync(IContainerService containers, ContainerRuns runs, ContainerInfo info, string condition, CancellationToken cancellationToken)
    {
        var id = info.Id;
        if (condition == "not-running" && info.Status is ContainerStatus.Created or ContainerStatus.Exited)
        {
            return (info.ExitCode ?? 0, null);
        }

        // An exit recorded after this point is the next one, even when the run began and ended between two looks.
        var before = runs.LastExit(id);
        int exitCode;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (runs.Find(id) is { } run)
            {
                var exit = await run.Exited.WaitAsync(cancellationToken);
                exitCode = exit.ExitCode ?? -1;
                break;
            }

            if (runs.LastExit(id) is { } recorded && !ReferenceEquals(recorded, before))
            {
                exitCode = recorded.ExitCode ?? -1;
                break;
            }

            ContainerInfo current;
            try
            {
                current = containers.Get(id);
            }
            catch (ContainerEngineException e) when (e.Kind == ContainerErrorKind.NotFound)
            {
                // Removed (auto-remove) before this look: its exit, when this service saw it, is the answer.
                return (runs.LastExit(id)?.ExitCode ?? info.ExitCode ?? 0, null);
            }

            if (current.Status is ContainerStatus.Running or ContainerStatus.Paused)
            {
                // Started elsewhere (a cmdlet): the engine's own wait.
                try
                {
                    exitCode = await Task.Run(() => containers.Wait(id, cancellationToken), cancellationToken);
                }
                catch (ContainerEngineException e) when (e.Kind == ContainerErrorKind.NotFound)
                {
                    return (runs.LastExit(id)?.ExitCode ?? -1, null);
                }

                break;
            }

            if (condition == "not-running")
            {
                return (current.ExitCode ?? 0, null);
            }

            await runs.WaitForStart(id, Poll, cancellationToken);
        }

        if (condition == "removed")
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    containers.Get(id);
                }
                catch (ContainerEngineException e) when (e.Kind == ContainerErrorKind.NotFound)
                {
                    break;
                }

                // The monitor removes an auto-remove container right after its exit: look often, it is a short wait.
                await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken);
            }
        }

        return (exitCode, null);
    }
}
