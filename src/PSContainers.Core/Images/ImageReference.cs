using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using PSContainers.Core.Containers;

namespace PSContainers.Core.Images;

/// <summary>
/// An image reference normalized as Docker normalizes it: <c>busybox</c> is <c>docker.io/library/busybox:latest</c>,
/// <c>host:port/repo:tag@sha256:...</c> keeps its registry, tag and digest.
/// </summary>
/// <remarks>
/// The grammar is the distribution project's (lower-case path components joined by <c>.</c>, <c>_</c>, <c>__</c> or
/// dashes; a registry host is the first component when it has a dot or colon, is <c>localhost</c>, or has upper-case
/// letters). Equality is by the normalized string; whether the registry was written out (<see cref="IsShortName"/>)
/// does not take part in it.
/// </remarks>
public sealed partial class ImageReference : IEquatable<ImageReference>
{
    public const string DockerHubDomain = "docker.io";
    public const string DefaultTag = "latest";
    private const string LegacyDockerHubDomain = "index.docker.io";
    private const string OfficialNamespace = "library/";
    private const int MaxNameLength = 255;

    private ImageReference(string domain, string path, string? tag, string? digest, bool isShortName)
    {
        Domain = domain;
        Path = path;
        Tag = tag;
        Digest = digest;
        IsShortName = isShortName;
    }

    /// <summary>The registry host, with its port if it has one (<c>docker.io</c>, <c>localhost:5000</c>, <c>[::1]:5000</c>).</summary>
    public string Domain { get; }

    /// <summary>The repository path inside the registry (<c>library/busybox</c>).</summary>
    public string Path { get; }

    /// <summary>The tag, or null when the reference names only a digest.</summary>
    public string? Tag { get; }

    /// <summary>The digest as <c>algorithm:hex</c>, or null.</summary>
    public string? Digest { get; }

    /// <summary>True when the input named no registry, so docker.io was assumed (search registries may apply).</summary>
    public bool IsShortName { get; }

    /// <summary>The repository with its registry: <c>docker.io/library/busybox</c>.</summary>
    public string Repository => Domain + "/" + Path;

    /// <summary>The repository as Docker shows it: <c>busybox</c>, <c>user/app</c>, <c>localhost:5000/app</c>.</summary>
    public string FamiliarRepository
    {
        get
        {
            if (Domain != DockerHubDomain)
            {
                return Repository;
            }

            return Path.StartsWith(OfficialNamespace, StringComparison.Ordinal) && Path.IndexOf('/', OfficialNamespace.Length) < 0
                ? Path[OfficialNamespace.Length..]
                : Path;
        }
    }

    /// <summary>The whole reference as Docker shows it: <c>busybox:latest</c>.</summary>
    public string FamiliarName => FamiliarRepository + Suffix;

    public bool IsDockerHub => Domain == DockerHubDomain;

    private string Suffix => (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);

    /// <summary>Parses and normalizes a reference; a reference without tag or digest gets <c>:latest</c>.</summary>
    /// <exception cref="ContainerEngineException">ErrorId InvalidReference, with what is wrong in the message.</exception>
    public static ImageReference Parse(string reference)
    {
        if (!TryParse(reference, out var parsed, out var error))
        {
            throw Invalid(reference, error);
        }

        return parsed;
    }

    /// <summary>As <see cref="Parse"/>, without the exception; error says what is wrong.</summary>
    public static bool TryParse(string? reference, [NotNullWhen(true)] out ImageReference? parsed, [NotNullWhen(false)] out string? error)
    {
        parsed = null;
        error = Validate(reference, out var domain, out var path, out var tag, out var digest, out var isShortName);
        if (error is not null)
        {
            return false;
        }

        if (tag is null && digest is null)
        {
            tag = DefaultTag;
        }

        parsed = new ImageReference(domain!, path!, tag, digest, isShortName);
        return true;
    }

    /// <summary>The same repository with another tag (the digest is dropped: it named the old content).</summary>
    public ImageReference WithTag(string tag)
    {
        if (!IsValidTag(tag))
        {
            throw Invalid(tag, $"\"{tag}\" is not a valid tag: up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'.");
        }

        return new ImageReference(Domain, Path, tag, null, IsShortName);
    }

    /// <summary>The same repository pinned to a digest (<c>algorithm:hex</c>), keeping the tag.</summary>
    public ImageReference WithDigest(string digest)
    {
        var error = ValidateDigest(digest);
        if (error is not null)
        {
            throw Invalid(digest, error);
        }

        return new ImageReference(Domain, Path, Tag, digest, IsShortName);
    }

    /// <summary>The full normalized form: <c>docker.io/library/busybox:latest</c>.</summary>
    public override string ToString() => Repository + Suffix;

    public bool Equals(ImageReference? other) => other is not null && ToString() == other.ToString();

    public override bool Equals(object? obj) => Equals(obj as ImageReference);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());

    public static bool IsValidTag(string? tag) => tag is not null && TagRegex().IsMatch(tag);

    private static ContainerEngineException Invalid(string? reference, string message) =>
        new("InvalidReference", message, ContainerErrorKind.InvalidArgument, reference);

    private static string? Validate(string? reference, out string? domain, out string? path, out string? tag, out string? digest, out bool isShortName)
    {
        domain = path = tag = digest = null;
        isShortName = false;
        if (string.IsNullOrEmpty(reference))
        {
            return "An image reference is empty: name an image such as busybox, alpine:3.20 or localhost:5000/app@sha256:<hex>.";
        }

        var prefix = $"\"{reference}\" is not a valid image reference: ";
        if (reference.Trim() != reference || reference.Any(char.IsWhiteSpace))
        {
            return prefix + "it contains white space.";
        }

        var name = reference;
        var at = name.IndexOf('@');
        if (at >= 0)
        {
            digest = name[(at + 1)..];
            name = name[..at];
            var digestError = ValidateDigest(digest);
            if (digestError is not null)
            {
                return prefix + digestError;
            }
        }

        var colon = name.LastIndexOf(':');
        if (colon > name.LastIndexOf('/') && !name.EndsWith(']'))
        {
            tag = name[(colon + 1)..];
            name = name[..colon];
            if (!IsValidTag(tag))
            {
                return prefix + $"the tag \"{tag}\" must be 1 to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'.";
            }
        }

        if (name.Length == 0)
        {
            return prefix + "it has no repository name.";
        }

        var slash = name.IndexOf('/');
        var first = slash < 0 ? "" : name[..slash];
        if (slash < 0 || (first.IndexOfAny(['.', ':']) < 0 && first != "localhost" && first.ToLowerInvariant() == first && !first.StartsWith('[')))
        {
            domain = DockerHubDomain;
            path = name;
            isShortName = true;
        }
        else
        {
            domain = first;
            path = name[(slash + 1)..];
            var domainError = ValidateDomain(domain);
            if (domainError is not null)
            {
                return prefix + domainError;
            }
        }

        if (domain == LegacyDockerHubDomain)
        {
            domain = DockerHubDomain;
        }

        if (path.Length == 0)
        {
            return prefix + "it has no repository name after the registry.";
        }

        if (path.Any(char.IsAsciiLetterUpper))
        {
            return prefix + "the repository name must be lower-case.";
        }

        foreach (var component in path.Split('/'))
        {
            if (!PathComponentRegex().IsMatch(component))
            {
                return prefix + (component.Length == 0
                    ? "it has an empty path component ('//' or a trailing '/')."
                    : $"\"{component}\" must be lower-case letters and digits, separated by '.', '_', '__' or dashes.");
            }
        }

        if (isShortName && HexIdRegex().IsMatch(path))
        {
            return prefix + "a 64-character hexadecimal string is an image id, not a repository name.";
        }

        if (domain == DockerHubDomain && !path.Contains('/'))
        {
            path = OfficialNamespace + path;
        }

        if (domain.Length + 1 + path.Length > MaxNameLength)
        {
            return prefix + $"the repository name is longer than {MaxNameLength} characters.";
        }

        return null;
    }

    private static string? ValidateDomain(string domain)
    {
        string host = domain;
        string? port = null;
        if (domain.StartsWith('['))
        {
            var close = domain.IndexOf(']');
            if (close < 0 || !System.Net.IPAddress.TryParse(domain[1..close], out var address)
                || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                return $"the registry \"{domain}\" is not a valid bracketed IPv6 address.";
            }

            var rest = domain[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    return $"the registry \"{domain}\" has text after its IPv6 address.";
                }

                port = rest[1..];
            }

            host = "";
        }
        else
        {
            var colon = domain.IndexOf(':');
            if (colon >= 0)
            {
                port = domain[(colon + 1)..];
                host = domain[..colon];
            }
        }

        if (port is not null && (port.Length == 0 || !port.All(char.IsAsciiDigit)))
        {
            return $"the registry \"{domain}\" has an invalid port.";
        }

        if (host.Length > 0 || !domain.StartsWith('['))
        {
            foreach (var label in host.Split('.'))
            {
                if (!DomainComponentRegex().IsMatch(label))
                {
                    return $"the registry \"{domain}\" is not a valid host name (letters, digits and inner dashes, separated by dots).";
                }
            }
        }

        return null;
    }

    private static string? ValidateDigest(string digest)
    {
        var colon = digest.IndexOf(':');
        if (colon <= 0)
        {
            return $"the digest \"{digest}\" must be algorithm:hex, such as sha256:<64 hex digits>.";
        }

        var algorithm = digest[..colon];
        var hex = digest[(colon + 1)..];
        var length = algorithm switch
        {
            "sha256" => 64,
            "sha512" => 128,
            _ => 0,
        };
        if (length == 0)
        {
            return $"the digest algorithm \"{algorithm}\" is not supported (sha256 and sha512 are).";
        }

        if (hex.Length != length || !hex.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
        {
            return $"a {algorithm} digest has {length} lower-case hexadecimal digits; \"{hex}\" does not.";
        }

        return null;
    }

    [GeneratedRegex("^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex PathComponentRegex();

    [GeneratedRegex("^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$", RegexOptions.CultureInvariant)]
    private static partial Regex DomainComponentRegex();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex TagRegex();

    [GeneratedRegex("^[a-f0-9]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex HexIdRegex();
}
