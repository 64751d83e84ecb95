using PSContainers.Core.Images;

namespace PSContainers.Core.Registry;

/// <summary>What a fetch put in the content store: the reference, its top-level digest and the platform manifest chosen.</summary>
/// <param name="Name">The reference pulled (as named, not as a mirror rewrote it).</param>
/// <param name="TopDigest">The digest the tag pointed at: the index's for a multi-platform image.</param>
/// <param name="ManifestDigest">The platform's image manifest.</param>
/// <param name="IndexDigest">The index the manifest was chosen from, or null.</param>
/// <param name="Source">Where it came from (a mirror or the registry itself).</param>
/// <param name="Manifests">Every image manifest fetched (all platforms with allPlatforms), the chosen one first.</param>
public sealed record FetchedImage(ImageReference Name, Digest TopDigest, Digest ManifestDigest, Digest? IndexDigest, string Source, IReadOnlyList<Digest> Manifests);
