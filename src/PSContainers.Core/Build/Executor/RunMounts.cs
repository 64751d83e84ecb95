using PSContainers.Core.Build.Instructions;
using PSContainers.Core.Containers;

namespace PSContainers.Core.Build.Executor;

/// <summary>The host side of a RUN's --mount options (cache directories, bind sources, secrets), prepared before the step and released after it.</summary>
internal sealed class RunMounts : IDisposable
{
    private readonly List<Action> _release = [];

    public static RunMounts Prepare(BuildSession session, StageBuilder stage, RunInstruction run, ContainerCreateRequest request, string step, CancellationToken cancellationToken)
    {
        var mounts = new RunMounts();
        if (run.Mounts.Count > 0)
        {
            throw new ContainerEngineException("BuildMountNotSupported",
                $"{step}: RUN --mount=type={run.Mounts[0].Type.ToString().ToLowerInvariant()} is not supported yet.", ContainerErrorKind.InvalidArgument, step);
        }

        return mounts;
    }

    public void Dispose()
    {
        foreach (var release in _release)
        {
            release();
        }
    }
}
