namespace PSContainers.Core.Volumes;

/// <summary>One mount of a container as docker inspect shows it in Mounts: what is mounted where, and how.</summary>
public sealed class ContainerMount
{
    /// <summary>bind, volume or tmpfs.</summary>
    public string Type { get; set; } = "";

    /// <summary>The volume's name; null for binds and tmpfs.</summary>
    public string? Name { get; set; }

    /// <summary>The host path mounted (a volume's data directory, a bind's source); empty for tmpfs.</summary>
    public string Source { get; set; } = "";

    public string Destination { get; set; } = "";

    /// <summary>"local" for volumes, null otherwise.</summary>
    public string? Driver { get; set; }

    /// <summary>The mode text the user gave (-Volume's third part), as docker shows it.</summary>
    public string Mode { get; set; } = "";

    public bool RW { get; set; } = true;

    /// <summary>A bind's propagation (rprivate unless asked); empty for volumes and tmpfs, as docker shows them.</summary>
    public string Propagation { get; set; } = "";

    /// <summary>The volume was made for this container only (an image VOLUME or a -Volume without a name): Remove-Container -Volumes deletes it.</summary>
    public bool Anonymous { get; set; }

    /// <summary>Binds without their submounts.</summary>
    public bool NonRecursive { get; set; }

    /// <summary>The volume was not filled from the image.</summary>
    public bool NoCopy { get; set; }

    /// <summary>The directory inside the volume that is mounted (volume-subpath); null for the whole volume.</summary>
    public string? SubPath { get; set; }

    /// <summary>tmpfs options (size=, mode=, ...) in the order given.</summary>
    public List<string>? TmpfsOptions { get; set; }

    public override string ToString() => $"{(Name ?? (Source.Length > 0 ? Source : Type))}:{Destination}";
}
