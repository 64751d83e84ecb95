namespace PSContainers.Core.Containers;

/// <summary>A container's cgroup limits; null leaves a limit as it is (unset at create).</summary>
public sealed class ContainerResources
{
    /// <summary>Bytes.</summary>
    public long? Memory { get; set; }

    /// <summary>Memory plus swap in bytes; -1 is unlimited swap.</summary>
    public long? MemorySwap { get; set; }

    public long? MemoryReservation { get; set; }

    /// <summary>CPUs as a fraction (1.5 = one and a half CPUs), turned into a CFS quota per 100 ms period.</summary>
    public double? Cpus { get; set; }

    public ulong? CpuShares { get; set; }

    public string? CpusetCpus { get; set; }

    public string? CpusetMems { get; set; }

    public long? PidsLimit { get; set; }

    public ushort? BlkioWeight { get; set; }
}
