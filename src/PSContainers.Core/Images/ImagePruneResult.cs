namespace PSContainers.Core.Images;

/// <summary>What a prune removed: image records, blobs, snapshots, leftovers of killed writers, and the bytes freed.</summary>
public sealed record ImagePruneResult(IReadOnlyList<string> ImagesDeleted, int BlobsDeleted, int SnapshotsDeleted, int TemporaryDeleted, long SpaceReclaimed);
