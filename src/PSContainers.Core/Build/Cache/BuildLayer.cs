namespace PSContainers.Core.Build.Cache;

/// <summary>One layer of an image being built: its blob in the content store, its diffID and its unpacked snapshot.</summary>
public sealed class BuildLayer
{
    public string DiffId { get; set; } = "";

    public string ChainId { get; set; } = "";

    public string Blob { get; set; } = "";

    public string MediaType { get; set; } = "";

    public long BlobSize { get; set; }
}
