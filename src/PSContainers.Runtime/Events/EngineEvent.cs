using System.Text;
using System.Text.Json;

namespace PSContainers.Runtime.Events;

/// <summary>One record of the engine's event journal, with the fields of docker's event message (Type, Action, Actor, time, timeNano).</summary>
public sealed class EngineEvent
{
    public const string Container = "container", Image = "image", Network = "network", Volume = "volume";

    /// <summary>container, image, network or volume.</summary>
    public required string Type { get; init; }

    /// <summary>create, start, die, health_status: healthy, pull, ... as docker names them.</summary>
    public required string Action { get; init; }

    /// <summary>The container's or network's id, the image's reference, the volume's name.</summary>
    public required string ActorId { get; init; }

    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();

    /// <summary>Nanoseconds since the Unix epoch.</summary>
    public long TimeNano { get; init; }

    public static long NowNano() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;

    /// <summary>
    /// One JSON line as docker's /events streams it: the legacy status, id and from of container and image events
    /// too, so a reader can pass a line on unchanged.
    /// </summary>
    public string ToJsonLine()
    {
        using var buffer = new MemoryStream(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (Type is Container or Image)
            {
                w.WriteString("status", Action);
                w.WriteString("id", ActorId);
                if (Type == Container && Attributes.TryGetValue("image", out var from))
                {
                    w.WriteString("from", from);
                }
            }

            w.WriteString("Type", Type);
            w.WriteString("Action", Action);
            w.WriteStartObject("Actor");
            w.WriteString("ID", ActorId);
            w.WriteStartObject("Attributes");
            foreach (var (key, value) in Attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                w.WriteString(key, value);
            }

            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteString("scope", "local");
            w.WriteNumber("time", TimeNano / 1_000_000_000);
            w.WriteNumber("timeNano", TimeNano);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Reads a journal line; null for one that is not an event (a torn or foreign line is skipped, never fatal).</summary>
    public static EngineEvent? Parse(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("Type", out var type) || type.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("Action", out var action) || action.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("Actor", out var actor) || actor.ValueKind != JsonValueKind.Object
                || !actor.TryGetProperty("ID", out var id) || id.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("timeNano", out var time) || !time.TryGetInt64(out var nano))
            {
                return null;
            }

            var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
            if (actor.TryGetProperty("Attributes", out var attrs) && attrs.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in attrs.EnumerateObject())
                {
                    if (p.Value.ValueKind == JsonValueKind.String)
                    {
                        attributes[p.Name] = p.Value.GetString()!;
                    }
                }
            }

            return new EngineEvent { Type = type.GetString()!, Action = action.GetString()!, ActorId = id.GetString()!, Attributes = attributes, TimeNano = nano };
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
