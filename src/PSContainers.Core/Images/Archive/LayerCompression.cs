namespace PSContainers.Core.Images.Archive;

/// <summary>How a layer blob is compressed, told by its first bytes as docker and containerd tell it.</summary>
public enum LayerCompression
{
    None,
    Gzip,
    Zstd,
}
