using PSContainers.Core.Images.Oci;

namespace PSContainers.Core.Images;

/// <summary>One layer of an image that has no snapshot yet: its blob, its diffID and chainID (from the config), and where it stands in the image.</summary>
internal sealed record LayerToUnpack(OciDescriptor Layer, Digest DiffId, Digest ChainId, int Index, int Count)
{
    public Digest Blob => Layer.ParsedDigest;
}
