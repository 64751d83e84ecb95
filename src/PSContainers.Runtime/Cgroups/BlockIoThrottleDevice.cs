namespace PSContainers.Runtime.Cgroups;

/// <summary>A bytes or operations per second limit for one device; zero means unlimited.</summary>
public sealed record BlockIoThrottleDevice(long Major, long Minor, ulong Rate);
