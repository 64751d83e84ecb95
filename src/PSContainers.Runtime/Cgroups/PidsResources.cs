namespace PSContainers.Runtime.Cgroups;

/// <summary>Process count limit; zero or negative means unlimited.</summary>
public sealed record PidsResources
{
    public long? Limit { get; init; }
}
