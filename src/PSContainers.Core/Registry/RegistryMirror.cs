namespace PSContainers.Core.Registry;

/// <summary>A mirror of a registries.conf [[registry]] entry: tried before the registry itself, in order.</summary>
/// <param name="Location">The mirror's host[:port][/namespace], replacing the entry's prefix.</param>
/// <param name="Insecure">Plain HTTP or unverified TLS allowed.</param>
/// <param name="PullFromMirror">"all", "digest-only" or "tag-only": which pulls may use this mirror.</param>
public sealed record RegistryMirror(string Location, bool Insecure, string PullFromMirror = "all");
