using System.Collections;
using PSContainers.Core.Containers;

namespace PSContainers.Core.Events;

/// <summary>docker events' --filter: values of one key match any (or), different keys must all match (and).</summary>
public sealed class EventFilter
{
    /// <summary>The keys docker's events endpoint takes, and what they match.</summary>
    public static readonly IReadOnlyList<string> Keys = ["type", "event", "container", "image", "network", "volume", "label", "scope", "daemon", "plugin"];

    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    public bool IsEmpty => _values.Count == 0;

    public IReadOnlyDictionary<string, List<string>> Values => _values;

    public void Add(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        var k = key.Trim().ToLowerInvariant();
        if (!Keys.Contains(k))
        {
            throw ContainerEngineException.Invalid($"invalid filter '{key}': an events filter is one of {string.Join(", ", Keys)}.");
        }

        if (!_values.TryGetValue(k, out var list))
        {
            _values[k] = list = [];
        }

        list.Add(value);
    }

    /// <summary>docker's key=value strings ("type=container", "label=a=b").</summary>
    public static EventFilter Parse(IEnumerable<string> filters)
    {
        var filter = new EventFilter();
        foreach (var f in filters ?? [])
        {
            var eq = f.IndexOf('=');
            if (eq <= 0)
            {
                throw ContainerEngineException.Invalid($"bad format of filter (expected name=value): '{f}'");
            }

            filter.Add(f[..eq], f[(eq + 1)..]);
        }

        return filter;
    }

    /// <summary>A hashtable of key = value or key = @(values).</summary>
    public static EventFilter FromDictionary(IDictionary table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var filter = new EventFilter();
        foreach (DictionaryEntry entry in table)
        {
            var key = entry.Key?.ToString() ?? "";
            if (entry.Value is IEnumerable values and not string)
            {
                foreach (var v in values)
                {
                    filter.Add(key, v?.ToString() ?? "");
                }
            }
            else
            {
                filter.Add(key, entry.Value?.ToString() ?? "");
            }
        }

        return filter;
    }

    public bool Matches(ContainerEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        foreach (var (key, values) in _values)
        {
            if (!values.Any(v => MatchOne(key, v, e)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool MatchOne(string key, string value, ContainerEvent e) => key switch
    {
        "type" => e.Type == value,
        // "health_status" matches "health_status: healthy", as docker's filter does.
        "event" => e.Action == value || (e.Action.IndexOf(':') is > 0 and var colon && e.Action[..colon] == value),
        "container" => e.Type == "container" && ActorMatches(e, value),
        "network" => e.Type == "network" && ActorMatches(e, value),
        "volume" => e.Type == "volume" && e.ActorId == value,
        "image" => (e.Type == "image" && (SameImage(e.ActorId, value) || SameImage(Attr(e, "name"), value)))
            || (e.Type == "container" && SameImage(Attr(e, "image"), value)),
        "label" => value.IndexOf('=') is > 0 and var eq
            ? Attr(e, value[..eq]) == value[(eq + 1)..]
            : e.Attributes.ContainsKey(value),
        "scope" => value == "local",
        _ => false,
    };

    /// <summary>A reference without a tag means :latest, as docker's image filter reads it.</summary>
    private static bool SameImage(string? candidate, string value) => candidate is not null && (candidate == value || candidate == value + ":latest");

    /// <summary>An id (or a prefix of one, as docker's fuzzy match) or the name.</summary>
    private static bool ActorMatches(ContainerEvent e, string value) =>
        value.Length > 0 && (e.ActorId.StartsWith(value, StringComparison.Ordinal) || Attr(e, "name") == value);

    private static string? Attr(ContainerEvent e, string name) => e.Attributes.TryGetValue(name, out var v) ? v : null;
}
