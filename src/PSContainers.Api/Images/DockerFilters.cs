using System.Text.RegularExpressions;

namespace PSContainers.Api.Images;

/// <summary>
/// docker's filters query parameter as the image, network and volume endpoints read it: the filters each honours
/// (any other is refused by name), and docker's matching rules for booleans, labels and reference globs.
/// </summary>
internal sealed class DockerFilters
{
    private readonly Dictionary<string, List<string>> _values;

    private DockerFilters(Dictionary<string, List<string>> values)
    {
        _values = values;
    }

    public static DockerFilters Empty { get; } = new(new Dictionary<string, List<string>>(StringComparer.Ordinal));

    /// <summary>Parses the parameter (api's <see cref="ApiQuery.Filters"/>) and refuses a filter name outside allowed, with docker's wording.</summary>
    public static DockerFilters Parse(string? text, params string[] allowed)
    {
        var values = ApiQuery.Filters(text);
        ApiQuery.OnlyFilters(values, allowed);
        return new DockerFilters(values);
    }

    public bool Has(string name) => _values.TryGetValue(name, out var v) && v.Count > 0;

    public IReadOnlyList<string> Get(string name) => _values.TryGetValue(name, out var v) ? v : [];

    /// <summary>A filter that takes one boolean (dangling): null when absent; docker's 400 for anything but true/false/1/0.</summary>
    public bool? GetBool(string name)
    {
        var values = Get(name).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1)
        {
            throw ApiException.BadRequest($"invalid filter '{name}': give one value, true or false");
        }

        return values[0].ToLowerInvariant() switch
        {
            "true" or "1" => true,
            "false" or "0" => false,
            _ => throw ApiException.BadRequest($"invalid filter '{name}={values[0]}': expected true or false"),
        };
    }

    /// <summary>docker's label filter: every "key" must be present and every "key=value" must match.</summary>
    public bool MatchesLabels(IReadOnlyDictionary<string, string>? labels, string name = "label")
    {
        foreach (var wanted in Get(name))
        {
            var eq = wanted.IndexOf('=');
            if (eq < 0)
            {
                if (labels is null || !labels.ContainsKey(wanted))
                {
                    return false;
                }
            }
            else if (labels is null || !labels.TryGetValue(wanted[..eq], out var value) || value != wanted[(eq + 1)..])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>docker's reference filter: a glob (*, ?, [..]) over a whole name, with or without its tag.</summary>
    public static bool GlobMatch(string pattern, string text) =>
        Regex.IsMatch(text, "^" + Regex.Escape(pattern).Replace(@"\*", "[^/]*").Replace(@"\?", "[^/]").Replace(@"\[", "[") + "$", RegexOptions.CultureInvariant);
}
