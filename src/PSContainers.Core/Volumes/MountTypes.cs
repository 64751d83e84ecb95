namespace PSContainers.Core.Volumes;

/// <summary>The mount types docker knows and the engine supports.</summary>
public static class MountTypes
{
    public const string Bind = "bind";
    public const string Volume = "volume";
    public const string Tmpfs = "tmpfs";
}
