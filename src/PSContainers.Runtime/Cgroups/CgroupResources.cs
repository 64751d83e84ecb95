namespace PSContainers.Runtime.Cgroups;

/// <summary>Resource limits for one cgroup; a null member leaves that controller untouched.</summary>
public sealed record CgroupResources
{
    public MemoryResources? Memory { get; init; }
    public CpuResources? Cpu { get; init; }
    public PidsResources? Pids { get; init; }
    public BlockIoResources? BlockIo { get; init; }

    /// <summary>hugetlb limits per page size.</summary>
    public IReadOnlyList<HugepageLimit>? HugepageLimits { get; init; }

    public NetworkResources? Network { get; init; }

    /// <summary>Device access rules, applied in order (v1 only; v2 needs eBPF, which is not implemented).</summary>
    public IReadOnlyList<DeviceRule>? Devices { get; init; }

    /// <summary>Raw cgroup v2 interface files, written verbatim (file name to value).</summary>
    public IReadOnlyDictionary<string, string>? Unified { get; init; }
}
