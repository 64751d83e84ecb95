using System.Globalization;
using PSContainers.Core.Build.Instructions;
using PSContainers.Core.Containers;

namespace PSContainers.Core.Events;

/// <summary>docker's --since/--until values: a duration back from now ("10m", "1h30m"), an RFC 3339 time or date, or Unix seconds ("1700000000.5").</summary>
public static class EventTime
{
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss",
        "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH", "yyyy-MM-dd",
    ];

    public static DateTimeOffset Parse(string value, string parameter, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim();
        if (text.Length > 0 && !text.Contains('-', StringComparison.Ordinal) && !text.Contains(':', StringComparison.Ordinal)
            && !char.IsAsciiDigit(text[^1]) && GoDuration.TryParse(text, out var back))
        {
            return now - back;
        }

        if (DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var time))
        {
            return time;
        }

        if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && seconds < 1e11m)
        {
            return DateTimeOffset.UnixEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond));
        }

        throw ContainerEngineException.Invalid(
            $"{parameter} \"{value}\" is not a time: give a duration back from now (10m, 1h30m), an RFC 3339 time (2024-05-01T10:00:00Z) or Unix seconds (1714557600).");
    }
}
