namespace PSContainers.Core.Registry;

/// <summary>A manifest or index as a registry served it: its exact bytes, media type and verified digest.</summary>
/// <param name="Bytes">The bytes the digest is computed over (never re-serialized).</param>
/// <param name="MediaType">The Content-Type, or the mediaType field when the registry sent a generic type.</param>
/// <param name="Digest">algorithm:hex of Bytes.</param>
public sealed record RegistryManifest(byte[] Bytes, string MediaType, string Digest);
