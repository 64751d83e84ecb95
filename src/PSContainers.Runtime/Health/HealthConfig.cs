using System.Text;
using System.Text.Json;

namespace PSContainers.Runtime.Health;

/// <summary>A container's health check as the engine resolved it (image HEALTHCHECK and run options), kept as BUNDLE/healthcheck.json.</summary>
/// <remarks>Durations are nanoseconds as in docker's Config.Healthcheck; 0 means docker's default.</remarks>
public sealed class HealthConfig
{
    public const string FileName = "healthcheck.json";
    public const long DefaultIntervalNs = 30_000_000_000, DefaultTimeoutNs = 30_000_000_000, DefaultStartIntervalNs = 5_000_000_000;
    public const int DefaultRetries = 3;

    /// <summary>docker's Test: ["CMD", argv...] or ["CMD-SHELL", script].</summary>
    public List<string> Test { get; set; } = [];

    public long IntervalNs { get; set; }

    public long TimeoutNs { get; set; }

    public long StartPeriodNs { get; set; }

    public long StartIntervalNs { get; set; }

    public int Retries { get; set; }

    public TimeSpan Interval => Span(IntervalNs, DefaultIntervalNs);

    public TimeSpan Timeout => Span(TimeoutNs, DefaultTimeoutNs);

    public TimeSpan StartPeriod => Span(StartPeriodNs, 0);

    public TimeSpan StartInterval => Span(StartIntervalNs, DefaultStartIntervalNs);

    public int EffectiveRetries => Retries > 0 ? Retries : DefaultRetries;

    /// <summary>The argv to run in the container: CMD's as given, CMD-SHELL's through /bin/sh -c (docker's default shell).</summary>
    public List<string> Argv() => Test switch
    {
        ["CMD", .. var argv] when argv.Count > 0 => argv,
        ["CMD-SHELL", var script] => ["/bin/sh", "-c", script],
        _ => throw new FormatException($"a health check test must be [\"CMD\", ...] or [\"CMD-SHELL\", script], not [{string.Join(", ", Test)}]"),
    };

    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("Test");
            foreach (var t in Test)
            {
                w.WriteStringValue(t);
            }

            w.WriteEndArray();
            w.WriteNumber("Interval", IntervalNs);
            w.WriteNumber("Timeout", TimeoutNs);
            w.WriteNumber("StartPeriod", StartPeriodNs);
            w.WriteNumber("StartInterval", StartIntervalNs);
            w.WriteNumber("Retries", Retries);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static HealthConfig Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var config = new HealthConfig();
        if (root.TryGetProperty("Test", out var test) && test.ValueKind == JsonValueKind.Array)
        {
            config.Test = test.EnumerateArray().Select(t => t.GetString() ?? "").ToList();
        }

        config.IntervalNs = Long(root, "Interval");
        config.TimeoutNs = Long(root, "Timeout");
        config.StartPeriodNs = Long(root, "StartPeriod");
        config.StartIntervalNs = Long(root, "StartInterval");
        config.Retries = (int)Long(root, "Retries");
        return config;
    }

    /// <summary>The bundle's health check, or null when the container has none.</summary>
    public static HealthConfig? TryLoad(string bundle)
    {
        var path = Path.Combine(bundle, FileName);
        return File.Exists(path) ? Parse(File.ReadAllText(path)) : null;
    }

    private static long Long(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.TryGetInt64(out var n) ? n : 0;

    private static TimeSpan Span(long ns, long fallbackNs) => TimeSpan.FromTicks((ns > 0 ? ns : fallbackNs) / 100);
}
