namespace PSContainers.Runtime.Cgroups;

/// <summary>A net_prio priority for the traffic of one network interface.</summary>
public sealed record InterfacePriority(string Interface, uint Priority);
