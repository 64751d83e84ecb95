namespace PSContainers.Core.Network;

/// <summary>What Clear-ContainerResource removed of the networks (docker network prune).</summary>
public sealed record NetworkPruneResult(IReadOnlyList<string> NetworksDeleted);
