namespace PSContainers.Core.Registry;

/// <summary>One [[registry]] table of a registries.conf: where references under Prefix are pulled from and how.</summary>
public sealed record RegistryEntry
{
    /// <summary>host[:port][/namespace...], or *.domain; references under it use this entry (longest prefix wins).</summary>
    public required string Prefix { get; init; }

    /// <summary>Where the prefix really lives; the part of a reference after the prefix is appended to it.</summary>
    public required string Location { get; init; }

    public bool Insecure { get; init; }

    public bool Blocked { get; init; }

    /// <summary>Mirrors are used only for pulls by digest (tags on a mirror may be stale).</summary>
    public bool MirrorByDigestOnly { get; init; }

    public IReadOnlyList<RegistryMirror> Mirrors { get; init; } = [];
}
