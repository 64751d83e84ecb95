using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

/// <summary>The network cmdlets: one call of the engine's network service per item, failures as ErrorRecords.</summary>
public abstract class NetworkCmdletBase : ContainerCmdletBase
{
    protected T? Networks<T>(object target, Func<IContainerNetworkService, CancellationToken, T> work) =>
        Engine(target, (engine, ct) => work((IContainerNetworkService)engine, ct));
}
