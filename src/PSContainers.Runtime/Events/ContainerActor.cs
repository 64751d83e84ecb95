using System.Text;
using System.Text.Json;

namespace PSContainers.Runtime.Events;

/// <summary>A container's event attributes (name, image, labels) in BUNDLE/actor.json, so its monitor's events carry them too.</summary>
/// <remarks>The engine writes the file at create and rename; a monitor reads it each time it records an event.</remarks>
public static class ContainerActor
{
    public const string FileName = "actor.json";

    public static Dictionary<string, string> Load(string bundle)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(bundle, FileName)));
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Value.ValueKind == JsonValueKind.String)
                {
                    attributes[p.Name] = p.Value.GetString()!;
                }
            }
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException or InvalidOperationException)
        {
            // No attributes beats no event.
        }

        return attributes;
    }

    public static void Save(string bundle, IReadOnlyDictionary<string, string> attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var (key, value) in attributes)
            {
                w.WriteString(key, value);
            }

            w.WriteEndObject();
        }

        var path = Path.Combine(bundle, FileName);
        var temp = path + ".tmp";
        File.WriteAllText(temp, Encoding.UTF8.GetString(buffer.ToArray()));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Records a container event with the container's attributes and the extra ones given; false when it was not written.</summary>
    public static bool Emit(string journalPath, string bundle, string id, string action, IReadOnlyDictionary<string, string>? extra = null)
    {
        var attributes = Load(bundle);
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            attributes[key] = value;
        }

        return new EventJournal(journalPath).Append(new EngineEvent
        {
            Type = EngineEvent.Container, Action = action, ActorId = id, Attributes = attributes, TimeNano = EngineEvent.NowNano(),
        });
    }
}
