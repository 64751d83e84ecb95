namespace PSContainers.Core.Volumes;

/// <summary>One mount a user asked for with -Volume, -Mount or -Tmpfs, parsed and checked but not yet resolved to a host path.</summary>
public sealed class MountRequest
{
    /// <summary>bind, volume or tmpfs (docker's mount types).</summary>
    public string Type { get; set; } = MountTypes.Volume;

    /// <summary>The volume name (empty for an anonymous volume) or the absolute host path of a bind; empty for tmpfs.</summary>
    public string Source { get; set; } = "";

    /// <summary>The absolute path inside the container.</summary>
    public string Target { get; set; } = "";

    public bool ReadOnly { get; set; }

    /// <summary>A bind's propagation (private, rprivate, shared, rshared, slave, rslave); null for the default, rprivate.</summary>
    public string? Propagation { get; set; }

    /// <summary>A bind without its submounts (bind-nonrecursive / bind-recursive=disabled).</summary>
    public bool NonRecursive { get; set; }

    /// <summary>Do not fill an empty volume from the image (nocopy / volume-nocopy).</summary>
    public bool NoCopy { get; set; }

    /// <summary>A directory inside the volume to mount instead of its root (volume-subpath).</summary>
    public string? SubPath { get; set; }

    /// <summary>Driver options for a volume created by this mount (volume-opt=type=tmpfs, ...).</summary>
    public Dictionary<string, string> VolumeOptions { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Labels for a volume created by this mount (volume-label=k=v).</summary>
    public Dictionary<string, string> VolumeLabels { get; set; } = new(StringComparer.Ordinal);

    /// <summary>tmpfs mount options in the order given (size=64m, mode=1777, exec, ...).</summary>
    public List<string> TmpfsOptions { get; set; } = [];

    /// <summary>The mode text as docker inspect shows it (the third part of -Volume, "z" or "ro,z"); empty for -Mount.</summary>
    public string Mode { get; set; } = "";

    /// <summary>Where the request came from, for messages: -Volume 'data:/d'.</summary>
    public string Origin { get; set; } = "";
}
