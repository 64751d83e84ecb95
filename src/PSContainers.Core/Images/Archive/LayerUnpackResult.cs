namespace PSContainers.Core.Images.Archive;

/// <summary>What unpacking one layer found: its digests as computed, sizes and entry count.</summary>
public sealed record LayerUnpackResult(Digest BlobDigest, Digest DiffId, LayerCompression Compression, long CompressedBytes, long TarBytes, long Size, long Entries);
