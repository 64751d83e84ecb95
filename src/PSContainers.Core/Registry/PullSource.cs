using PSContainers.Core.Images;

namespace PSContainers.Core.Registry;

/// <summary>One place to try for a pull: the reference rewritten for a mirror or the registry itself.</summary>
/// <param name="Reference">The reference as that endpoint knows it.</param>
/// <param name="Insecure">Plain HTTP and unverified TLS allowed for this endpoint.</param>
/// <param name="IsMirror">A mirror: its failure means trying the next source, not failing the pull.</param>
public sealed record PullSource(ImageReference Reference, bool Insecure, bool IsMirror);
