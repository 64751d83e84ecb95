using PSContainers.Core.Images.Oci;

namespace PSContainers.Core.Images;

/// <summary>A stored image with its manifest and config read: what container creation, export and push need.</summary>
public sealed record ResolvedImage(ImageRecord Record, OciManifest Manifest, ImageConfig Config)
{
    public Digest ManifestDigest => Digest.Parse(Record.Manifest);

    public Digest ConfigDigest => Digest.Parse(Record.Config);

    public Digest? IndexDigest => Record.Index is null ? null : Digest.Parse(Record.Index);

    /// <summary>Layer diffIDs, bottom first.</summary>
    public IReadOnlyList<Digest> DiffIds => Config.RootFs.DiffIds.Select(Digest.Parse).ToList();
}
