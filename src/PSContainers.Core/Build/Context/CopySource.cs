namespace PSContainers.Core.Build.Context;

/// <summary>One resolved COPY/ADD source: the host path to read, the path it was found by (relative to its tree) and whether it is a directory.</summary>
public sealed record CopySource(string HostPath, string RelativePath, bool IsDirectory)
{
    /// <summary>The name a file source gets under a directory destination.</summary>
    public string Name => Path.GetFileName(RelativePath.TrimEnd('/')) is { Length: > 0 } name ? name : Path.GetFileName(HostPath.TrimEnd('/'));
}
