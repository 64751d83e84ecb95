namespace PSContainers.Core.Images;

/// <summary>One step of an image's history, newest first, as docker history shows it.</summary>
public sealed class ImageHistoryItem
{
    /// <summary>The image id on the newest step, "&lt;missing&gt;" on the others (as docker shows steps without an image of their own).</summary>
    public string Id { get; init; } = "";

    public DateTimeOffset? Created { get; init; }

    public string CreatedBy { get; init; } = "";

    /// <summary>Bytes of the layer this step added; 0 for steps without one.</summary>
    public long Size { get; init; }

    public string Comment { get; init; } = "";

    public bool EmptyLayer { get; init; }
}
