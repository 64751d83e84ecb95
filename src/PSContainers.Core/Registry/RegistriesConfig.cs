using System.Net;
using PSContainers.Core.Containers;
using PSContainers.Core.Images;
using PSContainers.Core.State;
using Tomlyn;
using Tomlyn.Model;

namespace PSContainers.Core.Registry;

/// <summary>
/// The registries file in podman's containers-registries.conf format (v2, and v1's search/insecure/block lists):
/// insecure registries, blocked ones, mirrors, prefix rewrites, search registries for short names and aliases.
/// </summary>
/// <remarks>
/// Registries on the loopback interface (localhost, 127.0.0.0/8, ::1) are insecure without being listed, as in
/// Docker. Short names resolve to docker.io unless unqualified-search-registries lists others. Keys this engine
/// does not use (short-name-mode, credential-helpers, ...) are accepted and named in <see cref="Warnings"/>.
/// </remarks>
public sealed class RegistriesConfig
{
    public const string EnvironmentVariable = "PSCONTAINERS_REGISTRIES_CONF";
    public const string FileName = "registries.conf";

    private static readonly HashSet<string> KnownTopLevelKeys = ["unqualified-search-registries", "registry", "aliases", "registries"];
    private static readonly HashSet<string> IgnoredTopLevelKeys = ["short-name-mode", "credential-helpers", "additional-layer-store-auth-helper"];
    private static readonly HashSet<string> RegistryKeys = ["prefix", "location", "insecure", "blocked", "mirror-by-digest-only", "mirror"];
    private static readonly HashSet<string> MirrorKeys = ["location", "insecure", "pull-from-mirror"];

    public static RegistriesConfig Empty { get; } = new([], [], new Dictionary<string, string>(), [], null);

    private RegistriesConfig(
        IReadOnlyList<string> searchRegistries,
        IReadOnlyList<RegistryEntry> registries,
        IReadOnlyDictionary<string, string> aliases,
        IReadOnlyList<string> warnings,
        string? source)
    {
        UnqualifiedSearchRegistries = searchRegistries;
        Registries = registries;
        Aliases = aliases;
        Warnings = warnings;
        Source = source;
    }

    /// <summary>Registries tried in order for a short name (none: docker.io alone, as Docker does).</summary>
    public IReadOnlyList<string> UnqualifiedSearchRegistries { get; }

    public IReadOnlyList<RegistryEntry> Registries { get; }

    /// <summary>Short name (as Docker shows it, e.g. "busybox") to a fully qualified repository.</summary>
    public IReadOnlyDictionary<string, string> Aliases { get; }

    /// <summary>Keys found in the file that this engine does not act on.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The file this configuration came from, or null.</summary>
    public string? Source { get; }

    /// <summary>$PSCONTAINERS_REGISTRIES_CONF, else registries.conf under the storage root.</summary>
    public static string DefaultPath(EnginePaths paths)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return string.IsNullOrEmpty(fromEnvironment) ? Path.Combine(paths.Root, FileName) : Path.GetFullPath(fromEnvironment);
    }

    /// <summary>Reads the file; a missing file is an empty configuration.</summary>
    /// <exception cref="ContainerEngineException">ErrorId InvalidRegistriesConfig naming the file and the problem.</exception>
    public static RegistriesConfig Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Empty;
        }

        return Parse(text, path);
    }

    public static RegistriesConfig Parse(string text, string? source = null)
    {
        var where = source ?? "the registries configuration";
        TomlTable document;
        try
        {
            document = TomlSerializer.Deserialize<TomlTable>(text) ?? new TomlTable();
        }
        catch (TomlException e)
        {
            throw Invalid(where, $"it is not valid TOML: {e.Message}");
        }

        var warnings = new List<string>();
        foreach (var key in document.Keys)
        {
            if (IgnoredTopLevelKeys.Contains(key))
            {
                warnings.Add($"{where}: \"{key}\" is not used by PSContainers.");
            }
            else if (!KnownTopLevelKeys.Contains(key))
            {
                warnings.Add($"{where}: unknown key \"{key}\" ignored.");
            }
        }

        var search = new List<string>();
        var entries = new List<RegistryEntry>();
        var hasV2 = document.ContainsKey("registry") || document.ContainsKey("unqualified-search-registries");
        if (document.TryGetValue("registries", out var v1) && v1 is TomlTable v1Table)
        {
            if (hasV2)
            {
                throw Invalid(where, "it mixes the v1 [registries.*] tables with v2 keys; use one format.");
            }

            ReadV1(v1Table, where, search, entries);
        }

        if (document.TryGetValue("unqualified-search-registries", out var searchValue))
        {
            foreach (var registry in Strings(searchValue, "unqualified-search-registries", where))
            {
                search.Add(ValidateHost(registry, "unqualified-search-registries", where));
            }
        }

        if (document.TryGetValue("registry", out var registryValue))
        {
            if (registryValue is not TomlTableArray tables)
            {
                throw Invalid(where, "\"registry\" must be an array of tables ([[registry]]).");
            }

            foreach (var table in tables)
            {
                entries.Add(ReadEntry(table, where, warnings));
            }
        }

        var duplicate = entries.GroupBy(e => e.Prefix, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw Invalid(where, $"the prefix \"{duplicate.Key}\" appears in more than one [[registry]].");
        }

        var aliases = new Dictionary<string, string>(StringComparer.Ordinal);
        if (document.TryGetValue("aliases", out var aliasValue))
        {
            if (aliasValue is not TomlTable aliasTable)
            {
                throw Invalid(where, "[aliases] must be a table of short name = \"registry/repository\".");
            }

            foreach (var (name, value) in aliasTable)
            {
                if (value is not string target || !ImageReference.TryParse(target, out var parsed, out _) || parsed.IsShortName)
                {
                    throw Invalid(where, $"the alias \"{name}\" must name a fully qualified repository (registry/repository).");
                }

                aliases[name] = parsed.Repository;
            }
        }

        return new RegistriesConfig(search, entries, aliases, warnings, source);
    }

    /// <summary>The fully qualified references a pull of this reference tries, in order (search registries, aliases).</summary>
    public IReadOnlyList<ImageReference> ResolveShortName(ImageReference reference)
    {
        if (!reference.IsShortName)
        {
            return [reference];
        }

        var suffix = reference.FamiliarName[reference.FamiliarRepository.Length..];
        if (Aliases.TryGetValue(reference.FamiliarRepository, out var alias))
        {
            return [ImageReference.Parse(alias + suffix)];
        }

        if (UnqualifiedSearchRegistries.Count == 0)
        {
            return [reference];
        }

        return UnqualifiedSearchRegistries.Select(r => ImageReference.Parse(r + "/" + reference.FamiliarName)).Distinct().ToList();
    }

    /// <summary>Where a pull of this (fully qualified) reference goes: usable mirrors first, then the registry.</summary>
    /// <exception cref="ContainerEngineException">ErrorId RegistryBlocked when the registries file blocks it.</exception>
    public IReadOnlyList<PullSource> PullSources(ImageReference reference)
    {
        var entry = Find(reference);
        if (entry is null)
        {
            return [new PullSource(reference, IsLoopback(reference.Domain), IsMirror: false)];
        }

        if (entry.Blocked)
        {
            throw new ContainerEngineException("RegistryBlocked",
                $"Pulls of {reference} are blocked by the [[registry]] \"{entry.Prefix}\" in {Source ?? "the registries configuration"}.",
                ContainerErrorKind.InvalidArgument, reference.ToString());
        }

        var sources = new List<PullSource>();
        var byDigest = reference.Digest is not null;
        if (!entry.MirrorByDigestOnly || byDigest)
        {
            foreach (var mirror in entry.Mirrors)
            {
                var usable = mirror.PullFromMirror switch
                {
                    "digest-only" => byDigest,
                    "tag-only" => !byDigest,
                    _ => true,
                };
                if (usable)
                {
                    var rewritten = Rewrite(reference, entry, mirror.Location);
                    sources.Add(new PullSource(rewritten, mirror.Insecure || IsLoopback(rewritten.Domain), IsMirror: true));
                }
            }
        }

        var primary = Rewrite(reference, entry, entry.Location);
        sources.Add(new PullSource(primary, entry.Insecure || IsLoopback(primary.Domain), IsMirror: false));
        return sources;
    }

    /// <summary>Where a push of this reference goes (mirrors are for pulls only).</summary>
    public PullSource PushTarget(ImageReference reference)
    {
        var entry = Find(reference);
        if (entry is null)
        {
            return new PullSource(reference, IsLoopback(reference.Domain), IsMirror: false);
        }

        if (entry.Blocked)
        {
            throw new ContainerEngineException("RegistryBlocked",
                $"{reference} is blocked by the [[registry]] \"{entry.Prefix}\" in {Source ?? "the registries configuration"}.",
                ContainerErrorKind.InvalidArgument, reference.ToString());
        }

        var target = Rewrite(reference, entry, entry.Location);
        return new PullSource(target, entry.Insecure || IsLoopback(target.Domain), IsMirror: false);
    }

    /// <summary>Whether a registry host may be reached over plain HTTP or unverified TLS.</summary>
    public bool IsInsecure(string domain)
    {
        if (IsLoopback(domain))
        {
            return true;
        }

        return Registries.Any(e => e.Insecure && (e.Location == domain || e.Prefix == domain))
            || Registries.SelectMany(e => e.Mirrors).Any(m => m.Insecure && m.Location == domain);
    }

    /// <summary>localhost, 127.0.0.0/8 and ::1, with or without a port: Docker treats them as insecure registries.</summary>
    public static bool IsLoopback(string domain)
    {
        var host = domain;
        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']');
            host = close > 0 ? host[1..close] : host;
        }
        else if (host.IndexOf(':') is var colon and >= 0)
        {
            host = host[..colon];
        }

        return host == "localhost" || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }

    /// <summary>The entry whose prefix matches the reference longest, or null.</summary>
    public RegistryEntry? Find(ImageReference reference)
    {
        var text = reference.ToString();
        RegistryEntry? best = null;
        var bestLength = -1;
        foreach (var entry in Registries)
        {
            var length = MatchLength(entry.Prefix, reference.Domain, text);
            if (length > bestLength)
            {
                best = entry;
                bestLength = length;
            }
        }

        return best;
    }

    private static int MatchLength(string prefix, string domain, string reference)
    {
        if (prefix.StartsWith("*.", StringComparison.Ordinal))
        {
            var host = domain.IndexOf(':') is var colon and >= 0 && !domain.StartsWith('[') ? domain[..colon] : domain;
            return host.EndsWith(prefix[1..], StringComparison.Ordinal) ? prefix.Length : -1;
        }

        if (!reference.StartsWith(prefix, StringComparison.Ordinal))
        {
            return -1;
        }

        if (reference.Length == prefix.Length)
        {
            return prefix.Length;
        }

        return reference[prefix.Length] switch
        {
            '/' or '@' => prefix.Length,
            // A colon after a bare host would be its port, not a tag.
            ':' when prefix.Contains('/') => prefix.Length,
            _ => -1,
        };
    }

    private static ImageReference Rewrite(ImageReference reference, RegistryEntry entry, string location)
    {
        if (entry.Prefix.StartsWith("*.", StringComparison.Ordinal) || location == entry.Prefix)
        {
            return reference;
        }

        var rest = reference.ToString()[entry.Prefix.Length..];
        return ImageReference.Parse(location + rest);
    }

    private static void ReadV1(TomlTable v1, string where, List<string> search, List<RegistryEntry> entries)
    {
        var insecure = new List<string>();
        var blocked = new List<string>();
        foreach (var (name, value) in v1)
        {
            if (value is not TomlTable table || !table.TryGetValue("registries", out var list))
            {
                continue;
            }

            var hosts = Strings(list, $"registries.{name}.registries", where).Select(h => ValidateHost(h, $"registries.{name}", where));
            switch (name)
            {
                case "search": search.AddRange(hosts); break;
                case "insecure": insecure.AddRange(hosts); break;
                case "block": blocked.AddRange(hosts); break;
                default: throw Invalid(where, $"[registries.{name}] is not a v1 table (search, insecure and block are).");
            }
        }

        foreach (var host in insecure.Union(blocked))
        {
            entries.Add(new RegistryEntry { Prefix = host, Location = host, Insecure = insecure.Contains(host), Blocked = blocked.Contains(host) });
        }
    }

    private static RegistryEntry ReadEntry(TomlTable table, string where, List<string> warnings)
    {
        foreach (var key in table.Keys.Where(k => !RegistryKeys.Contains(k)))
        {
            warnings.Add($"{where}: unknown key \"{key}\" in a [[registry]] ignored.");
        }

        var location = OptionalString(table, "location", where) ?? "";
        var prefix = OptionalString(table, "prefix", where) ?? location;
        var blocked = OptionalBool(table, "blocked", where);
        if (prefix.Length == 0)
        {
            throw Invalid(where, "a [[registry]] needs a location or a prefix.");
        }

        if (location.Length == 0 && !blocked && !prefix.StartsWith("*.", StringComparison.Ordinal))
        {
            throw Invalid(where, $"the [[registry]] with prefix \"{prefix}\" has no location.");
        }

        ValidateLocation(prefix, "prefix", where, allowWildcard: true);
        if (location.Length > 0)
        {
            ValidateLocation(location, "location", where, allowWildcard: false);
        }

        var mirrors = new List<RegistryMirror>();
        if (table.TryGetValue("mirror", out var mirrorValue))
        {
            if (mirrorValue is not TomlTableArray mirrorTables)
            {
                throw Invalid(where, $"\"mirror\" of the [[registry]] \"{prefix}\" must be an array of tables ([[registry.mirror]]).");
            }

            foreach (var mirrorTable in mirrorTables)
            {
                foreach (var key in mirrorTable.Keys.Where(k => !MirrorKeys.Contains(k)))
                {
                    warnings.Add($"{where}: unknown key \"{key}\" in a [[registry.mirror]] ignored.");
                }

                var mirrorLocation = OptionalString(mirrorTable, "location", where)
                    ?? throw Invalid(where, $"a [[registry.mirror]] of \"{prefix}\" has no location.");
                ValidateLocation(mirrorLocation, "mirror location", where, allowWildcard: false);
                var pullFrom = OptionalString(mirrorTable, "pull-from-mirror", where) ?? "all";
                if (pullFrom is not ("all" or "digest-only" or "tag-only"))
                {
                    throw Invalid(where, $"pull-from-mirror \"{pullFrom}\" must be all, digest-only or tag-only.");
                }

                mirrors.Add(new RegistryMirror(mirrorLocation, OptionalBool(mirrorTable, "insecure", where), pullFrom));
            }
        }

        return new RegistryEntry
        {
            Prefix = prefix,
            Location = location,
            Insecure = OptionalBool(table, "insecure", where),
            Blocked = blocked,
            MirrorByDigestOnly = OptionalBool(table, "mirror-by-digest-only", where),
            Mirrors = mirrors,
        };
    }

    private static void ValidateLocation(string value, string what, string where, bool allowWildcard)
    {
        if (allowWildcard && value.StartsWith("*.", StringComparison.Ordinal))
        {
            if (value.Contains('/') || !ImageReference.TryParse(value[2..] + "/x", out _, out _))
            {
                throw Invalid(where, $"the {what} \"{value}\" must be *.domain with nothing after the domain.");
            }

            return;
        }

        // A location is host[:port][/namespace...], optionally ending in :tag or @digest for prefixes:
        // it is valid when it parses as a reference whose registry is written out.
        var probe = value.Contains('/') ? value : value + "/x";
        if (!ImageReference.TryParse(probe, out var parsed, out var error) || parsed.IsShortName)
        {
            throw Invalid(where, $"the {what} \"{value}\" must be host[:port][/namespace...]{(error is null ? "" : ": " + error)}");
        }
    }

    private static string ValidateHost(string value, string what, string where)
    {
        if (value.Contains('/') || !ImageReference.TryParse(value + "/x", out var parsed, out _) || parsed.IsShortName)
        {
            throw Invalid(where, $"\"{value}\" in {what} must be a registry host[:port].");
        }

        return value == "index.docker.io" ? ImageReference.DockerHubDomain : value;
    }

    private static IEnumerable<string> Strings(object? value, string key, string where)
    {
        if (value is not TomlArray array || array.Any(v => v is not string))
        {
            throw Invalid(where, $"\"{key}\" must be an array of strings.");
        }

        return array.Cast<string>().ToList();
    }

    private static string? OptionalString(TomlTable table, string key, string where) =>
        !table.TryGetValue(key, out var value) ? null
        : value as string ?? throw Invalid(where, $"\"{key}\" must be a string.");

    private static bool OptionalBool(TomlTable table, string key, string where) =>
        table.TryGetValue(key, out var value) && (value as bool? ?? throw Invalid(where, $"\"{key}\" must be true or false."));

    private static ContainerEngineException Invalid(string where, string problem) =>
        new("InvalidRegistriesConfig", $"{where} cannot be used: {problem}", ContainerErrorKind.InvalidArgument, where);
}
