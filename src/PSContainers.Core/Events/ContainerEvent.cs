namespace PSContainers.Core.Events;

/// <summary>One engine event as Get-ContainerEvent shows it (docker events): what happened to which object, and when.</summary>
public sealed class ContainerEvent
{
    public DateTimeOffset Time { get; init; }

    /// <summary>Nanoseconds since the Unix epoch (docker's timeNano), the order of the journal.</summary>
    public long TimeNano { get; init; }

    /// <summary>container, image, network or volume.</summary>
    public string Type { get; init; } = "";

    /// <summary>create, start, die, health_status: healthy, pull, connect, ...</summary>
    public string Action { get; init; } = "";

    /// <summary>The container's or network's id, the image's reference or id, the volume's name.</summary>
    public string ActorId { get; init; } = "";

    /// <summary>The actor's name attribute when it has one (a container's or network's name), else its id.</summary>
    public string Name => Attributes.TryGetValue("name", out var name) ? name : ActorId;

    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();

    /// <summary>The journal line as docker's /events streams it.</summary>
    public string Json { get; init; } = "";

    public override string ToString() => $"{Time:O} {Type} {Action} {ActorId}";

    internal static ContainerEvent From(Runtime.Events.EngineEvent e) => new()
    {
        Time = DateTimeOffset.FromUnixTimeMilliseconds(0).AddTicks(e.TimeNano / 100),
        TimeNano = e.TimeNano, Type = e.Type, Action = e.Action, ActorId = e.ActorId, Attributes = e.Attributes, Json = e.ToJsonLine(),
    };
}
