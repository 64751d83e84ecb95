namespace PSContainers.Core.Build.Instructions;

/// <summary>RUN --mount=type=...; ssh is refused by the parser.</summary>
public enum RunMountType
{
    Bind,
    Cache,
    Tmpfs,
    Secret,
}
