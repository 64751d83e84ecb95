namespace PSContainers.Runtime.Cgroups;

/// <summary>A block I/O weight (10..1000) for one device.</summary>
public sealed record BlockIoWeightDevice(long Major, long Minor, ushort Weight);
