namespace PSContainers.Core.Volumes;

/// <summary>What a volume prune removed and the bytes it freed.</summary>
public sealed record VolumePruneResult(IReadOnlyList<string> VolumesDeleted, long SpaceReclaimed);
