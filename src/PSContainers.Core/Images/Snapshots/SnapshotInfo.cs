namespace PSContainers.Core.Images.Snapshots;

/// <summary>What meta.json records about an unpacked layer.</summary>
public sealed class SnapshotInfo
{
    public string ChainId { get; set; } = "";

    public string DiffId { get; set; } = "";

    /// <summary>The compressed blob it was unpacked from.</summary>
    public string Blob { get; set; } = "";

    /// <summary>Bytes of file content in the layer (as the layer tar lists them).</summary>
    public long Size { get; set; }

    public long Entries { get; set; }

    /// <summary>Bytes of the uncompressed layer tar (what docker-archive export writes).</summary>
    public long TarSize { get; set; }

    public DateTimeOffset Created { get; set; }
}
