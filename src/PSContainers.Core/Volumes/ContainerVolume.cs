namespace PSContainers.Core.Volumes;

/// <summary>One volume as Get-ContainerVolume shows it: docker volume inspect's fields plus the containers that use it.</summary>
public sealed class ContainerVolume
{
    public string Name { get; init; } = "";

    public string Driver { get; init; } = VolumeService.LocalDriver;

    /// <summary>The host directory that holds the volume's data (VOLUMES/NAME/_data).</summary>
    public string Mountpoint { get; init; } = "";

    public DateTimeOffset CreatedAt { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();

    /// <summary>Always "local": the volume lives on this host.</summary>
    public string Scope { get; init; } = "local";

    public bool Anonymous { get; init; }

    /// <summary>Names of the containers (running or not) that mount the volume.</summary>
    public IReadOnlyList<string> UsedBy { get; init; } = [];

    public override string ToString() => Name;
}
