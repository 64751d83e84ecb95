namespace PSContainers.Runtime.Cgroups;

/// <summary>Block I/O weights (10..1000, v1 scale) and per-device throttles.</summary>
public sealed record BlockIoResources
{
    public ushort? Weight { get; init; }
    public ushort? LeafWeight { get; init; }
    public IReadOnlyList<BlockIoWeightDevice>? WeightDevices { get; init; }
    public IReadOnlyList<BlockIoThrottleDevice>? ThrottleReadBps { get; init; }
    public IReadOnlyList<BlockIoThrottleDevice>? ThrottleWriteBps { get; init; }
    public IReadOnlyList<BlockIoThrottleDevice>? ThrottleReadIops { get; init; }
    public IReadOnlyList<BlockIoThrottleDevice>? ThrottleWriteIops { get; init; }
}
