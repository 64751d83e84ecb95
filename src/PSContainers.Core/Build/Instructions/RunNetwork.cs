namespace PSContainers.Core.Build.Instructions;

/// <summary>RUN --network: default (the build's network), none or host.</summary>
public enum RunNetwork
{
    Default,
    None,
    Host,
}
