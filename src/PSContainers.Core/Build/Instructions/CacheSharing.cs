namespace PSContainers.Core.Build.Instructions;

/// <summary>RUN --mount=type=cache,sharing=...: how concurrent builds share one cache.</summary>
public enum CacheSharing
{
    Shared,
    Private,
    Locked,
}
