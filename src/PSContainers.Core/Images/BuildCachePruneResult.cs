namespace PSContainers.Core.Images;

/// <summary>What a build cache prune removed: the cache steps (their keys) and cache mounts (their directory names), and the bytes freed on disk.</summary>
public sealed record BuildCachePruneResult(IReadOnlyList<string> CachesDeleted, long SpaceReclaimed);
