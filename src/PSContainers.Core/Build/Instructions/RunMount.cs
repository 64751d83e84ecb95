namespace PSContainers.Core.Build.Instructions;

/// <summary>One RUN --mount, its options as BuildKit defines them (defaults filled in by the parser).</summary>
public sealed record RunMount
{
    public required RunMountType Type { get; init; }

    /// <summary>Where it appears in the RUN container; for a secret without target, /run/secrets/ID.</summary>
    public string? Target { get; init; }

    /// <summary>A path in the context (bind) or in From; for cache, a path inside the cache.</summary>
    public string? Source { get; init; }

    /// <summary>A stage name or index, or an image reference (bind and cache).</summary>
    public string? From { get; init; }

    /// <summary>bind: read-only unless rw; cache and tmpfs: read-write unless ro.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>cache: its id (default: the target); secret: its id (default: the target's file name).</summary>
    public string? Id { get; init; }

    public CacheSharing Sharing { get; init; } = CacheSharing.Shared;

    /// <summary>File mode (octal in the Dockerfile); cache 0755 and secret 0400 by default.</summary>
    public uint? Mode { get; init; }

    public uint? Uid { get; init; }

    public uint? Gid { get; init; }

    /// <summary>tmpfs: size in bytes; null for the kernel's default.</summary>
    public long? Size { get; init; }

    /// <summary>secret: the build fails when the secret is not given.</summary>
    public bool Required { get; init; }

    /// <summary>secret: an environment variable that receives the secret's value.</summary>
    public string? Env { get; init; }
}
