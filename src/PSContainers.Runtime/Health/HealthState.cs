using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PSContainers.Runtime.Health;

/// <summary>A container's health (docker's State.Health), kept by its health checks in SDIR/health.json.</summary>
public sealed class HealthState
{
    public const string FileName = "health.json";
    public const string Starting = "starting", Healthy = "healthy", Unhealthy = "unhealthy";

    /// <summary>docker keeps the last five results, each with at most 4096 bytes of output.</summary>
    public const int MaxLogEntries = 5, MaxOutputLength = 4096;

    public string Status { get; set; } = Starting;

    public int FailingStreak { get; set; }

    public List<HealthLogEntry> Log { get; set; } = [];

    /// <summary>Records a result with docker's rules; true when the status changed.</summary>
    /// <remarks>
    /// A success makes the container healthy and ends the failing streak. A failure counts toward the retries,
    /// except while the container is still starting within its start period; at the retries it is unhealthy.
    /// </remarks>
    public bool Record(HealthLogEntry result, HealthConfig config, DateTimeOffset startedAt)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(config);
        var before = Status;
        if (result.ExitCode == 0)
        {
            FailingStreak = 0;
            Status = Healthy;
        }
        else if (!(Status == Starting && result.End - startedAt < config.StartPeriod))
        {
            FailingStreak++;
            if (FailingStreak >= config.EffectiveRetries)
            {
                Status = Unhealthy;
            }
        }

        Log.Add(result with { Output = Truncate(result.Output) });
        if (Log.Count > MaxLogEntries)
        {
            Log.RemoveRange(0, Log.Count - MaxLogEntries);
        }

        return Status != before;
    }

    /// <summary>A fresh start: starting again with no streak; the log of earlier runs stays, as docker keeps it.</summary>
    public void Reset()
    {
        Status = Starting;
        FailingStreak = 0;
    }

    public static string Truncate(string output)
    {
        if (Encoding.UTF8.GetByteCount(output) <= MaxOutputLength)
        {
            return output;
        }

        var bytes = Encoding.UTF8.GetBytes(output);
        var cut = MaxOutputLength;
        // Not in the middle of a character: back up over continuation bytes.
        while (cut > 0 && (bytes[cut] & 0xC0) == 0x80)
        {
            cut--;
        }

        return Encoding.UTF8.GetString(bytes, 0, cut);
    }

    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("Status", Status);
            w.WriteNumber("FailingStreak", FailingStreak);
            w.WriteStartArray("Log");
            foreach (var entry in Log)
            {
                w.WriteStartObject();
                w.WriteString("Start", Time(entry.Start));
                w.WriteString("End", Time(entry.End));
                w.WriteNumber("ExitCode", entry.ExitCode);
                w.WriteString("Output", entry.Output);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static HealthState Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var state = new HealthState
        {
            Status = root.TryGetProperty("Status", out var s) && s.GetString() is { Length: > 0 } status ? status : Starting,
            FailingStreak = root.TryGetProperty("FailingStreak", out var f) && f.TryGetInt32(out var streak) ? streak : 0,
        };
        if (root.TryGetProperty("Log", out var log) && log.ValueKind == JsonValueKind.Array)
        {
            foreach (var e in log.EnumerateArray())
            {
                state.Log.Add(new HealthLogEntry
                {
                    Start = ParseTime(e, "Start"),
                    End = ParseTime(e, "End"),
                    ExitCode = e.TryGetProperty("ExitCode", out var c) && c.TryGetInt32(out var code) ? code : -1,
                    Output = e.TryGetProperty("Output", out var o) ? o.GetString() ?? "" : "",
                });
            }
        }

        return state;
    }

    /// <summary>The state in a state directory, or null when no check has recorded one (or the file is unreadable).</summary>
    public static HealthState? TryLoad(string stateDir)
    {
        try
        {
            return Parse(File.ReadAllText(Path.Combine(stateDir, FileName)));
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Writes the state so readers see the old or the new file, never half of one.</summary>
    public void Save(string stateDir)
    {
        var path = Path.Combine(stateDir, FileName);
        var temp = path + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".tmp";
        File.WriteAllText(temp, ToJson());
        File.Move(temp, path, overwrite: true);
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && DateTimeOffset.TryParse(v.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : default;
}
