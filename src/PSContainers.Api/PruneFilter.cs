using System.Globalization;

namespace PSContainers.Api;

/// <summary>The label and until filters of the prune endpoints (label=k, label=k=v, label!=k, until=timestamp or duration).</summary>
internal static class PruneFilter
{
    public static bool Matches(Dictionary<string, List<string>> filters, IReadOnlyDictionary<string, string> labels, DateTimeOffset created)
    {
        foreach (var label in filters.GetValueOrDefault("label") ?? [])
        {
            if (!HasLabel(labels, label))
            {
                return false;
            }
        }

        foreach (var label in filters.GetValueOrDefault("label!") ?? [])
        {
            if (HasLabel(labels, label))
            {
                return false;
            }
        }

        foreach (var until in filters.GetValueOrDefault("until") ?? [])
        {
            if (created >= Until(until))
            {
                return false;
            }
        }

        return true;
    }

    private static bool HasLabel(IReadOnlyDictionary<string, string> labels, string filter)
    {
        var eq = filter.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? labels.ContainsKey(filter) : labels.TryGetValue(filter[..eq], out var v) && v == filter[(eq + 1)..];
    }

    /// <summary>A Unix timestamp, an RFC 3339 time, or a duration before now such as 24h, 90m or 10s.</summary>
    internal static DateTimeOffset Until(string text)
    {
        if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            return DateTimeOffset.UnixEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond));
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }

        if (text.Length > 1 && double.TryParse(text[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
        {
            var span = text[^1] switch
            {
                'h' => TimeSpan.FromHours(n),
                'm' => TimeSpan.FromMinutes(n),
                's' => TimeSpan.FromSeconds(n),
                _ => throw ApiException.BadRequest($"invalid filter 'until={text}'"),
            };
            return DateTimeOffset.UtcNow - span;
        }

        throw ApiException.BadRequest($"invalid filter 'until={text}'");
    }
}
