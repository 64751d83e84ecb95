using System.Globalization;

namespace PSContainers.Api;

/// <summary>The Docker Engine API versions this service speaks, and the /vX.Y path prefix docker clients send.</summary>
internal static class ApiVersion
{
    /// <summary>The newest version served: docker 27's. Clients from docker 24 (1.43) to 28 negotiate down to it through /_ping.</summary>
    public const string Current = "1.47";

    /// <summary>The oldest version docker itself still accepts.</summary>
    public const string Minimum = "1.24";

    /// <summary>What the service says it is in /version: the docker engine release whose API it serves.</summary>
    public const string EngineVersion = "27.5.0";

    /// <summary>
    /// Splits "/v1.47/containers/json" into ("1.47", "/containers/json"); a path without a version prefix
    /// comes back unchanged with a null version. A prefix that looks like one but does not parse ("/v1.x/...")
    /// is reported as the text after the "v" so the caller can refuse it by name.
    /// </summary>
    public static (string? Version, string Path) SplitPrefix(string path)
    {
        if (path.Length < 3 || path[0] != '/' || path[1] != 'v' || !char.IsAsciiDigit(path[2]))
        {
            return (null, path);
        }

        var end = path.IndexOf('/', 1);
        var version = end < 0 ? path[2..] : path[2..end];
        var rest = end < 0 ? "/" : path[end..];
        return (version, rest);
    }

    /// <summary>Major and minor of "1.47"; false for anything else.</summary>
    public static bool TryParse(string text, out (int Major, int Minor) version)
    {
        version = default;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == text.Length - 1)
        {
            return false;
        }

        if (!int.TryParse(text.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            || !int.TryParse(text.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var minor))
        {
            return false;
        }

        version = (major, minor);
        return true;
    }

    /// <summary>Null when the version is served; otherwise docker's own 400 message for it.</summary>
    public static string? Check(string version)
    {
        if (!TryParse(version, out var asked))
        {
            return $"invalid API version \"{version}\": it must be MAJOR.MINOR, e.g. {Current}";
        }

        TryParse(Current, out var newest);
        TryParse(Minimum, out var oldest);
        if (asked.CompareTo(newest) > 0)
        {
            return $"client version {version} is too new. Maximum supported API version is {Current}";
        }

        if (asked.CompareTo(oldest) < 0)
        {
            return $"client version {version} is too old. Minimum supported API version is {Minimum}, please upgrade your client to a newer version";
        }

        return null;
    }

    /// <summary>The version a request asked for (its prefix), or the current one for unversioned paths.</summary>
    public static (int Major, int Minor) Of(HttpContext context)
    {
        if (context.Items.TryGetValue(VersionItem, out var v) && v is string s && TryParse(s, out var parsed))
        {
            return parsed;
        }

        TryParse(Current, out var current);
        return current;
    }

    public const string VersionItem = "psc.api-version";
}
