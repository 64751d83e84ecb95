namespace PSContainers.Core.Images;

/// <summary>One row of Get-ContainerDiskUsage, as docker system df shows it.</summary>
public sealed class DiskUsageItem
{
    /// <summary>Images, Containers, Blobs.</summary>
    public string Type { get; init; } = "";

    public int Total { get; init; }

    public int Active { get; init; }

    public long Size { get; init; }

    public long Reclaimable { get; init; }
}
