namespace PSContainers.Core.Volumes;

/// <summary>The stored description of one volume (VOLUMES/NAME/volume.json).</summary>
public sealed class VolumeRecord
{
    public string Name { get; set; } = "";

    public string Driver { get; set; } = VolumeService.LocalDriver;

    public DateTimeOffset CreatedAt { get; set; }

    public Dictionary<string, string> Labels { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The local driver's options: type, device and o, as docker volume create -o takes them.</summary>
    public Dictionary<string, string> Options { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Made for one container (an image VOLUME, a -Volume without a name): pruned by default and removed with Remove-Container -Volumes.</summary>
    public bool Anonymous { get; set; }
}
