using PSContainers.Runtime.Spec;

namespace PSContainers.Runtime.Cgroups;

/// <summary>Turns config.json's linux.resources into the cgroup layer's own resource types.</summary>
public static class ResourceMapper
{
    // Devices every container needs, allowed after the config's own rules as runc and crun do.
    private static readonly DeviceRule[] DefaultAllowedDevices =
    {
        new(true, 'c', 1, 3), new(true, 'c', 1, 5), new(true, 'c', 1, 7), new(true, 'c', 1, 8), new(true, 'c', 1, 9),
        new(true, 'c', 5, 0), new(true, 'c', 5, 1), new(true, 'c', 5, 2), new(true, 'c', 136, null),
    };

    /// <summary>The resources of a new container: the config's rules plus access to the devices the runtime creates.</summary>
    public static CgroupResources MapForCreate(LinuxResources? r, IEnumerable<LinuxDevice>? devices)
    {
        var mapped = Map(r);
        if (mapped.Devices is null)
        {
            return mapped;
        }

        // A node the config's own rules name keeps the access they give it (docker run --device /dev/X:r puts an "r"
        // rule in linux.resources.devices); the others get full access, as every runtime gives its created nodes.
        var named = mapped.Devices.Where(r => r.Major is not null && r.Minor is not null).Select(r => (r.Type, r.Major, r.Minor)).ToHashSet();
        var rules = mapped.Devices.Concat(DefaultAllowedDevices)
            .Concat((devices ?? Enumerable.Empty<LinuxDevice>()).Where(d => d.Type != "p")
                .Select(d => new DeviceRule(true, DeviceRuleType(d.Type), d.Major, d.Minor))
                .Where(r => !named.Contains((r.Type, r.Major, r.Minor))))
            .ToList();
        return mapped with { Devices = rules };
    }

    public static CgroupResources Map(LinuxResources? r)
    {
        if (r is null)
        {
            return new CgroupResources();
        }

        return new CgroupResources
        {
            Memory = r.Memory is { } m
                ? new MemoryResources { Limit = m.Limit, Reservation = m.Reservation, Swap = m.Swap, DisableOomKiller = m.DisableOomKiller, Swappiness = m.Swappiness }
                : null,
            Cpu = r.Cpu is { } c
                ? new CpuResources
                {
                    Shares = c.Shares, Quota = c.Quota, Period = c.Period, Burst = c.Burst, Cpus = NullIfEmpty(c.Cpus), Mems = NullIfEmpty(c.Mems),
                    RealtimeRuntime = c.RealtimeRuntime, RealtimePeriod = c.RealtimePeriod, Idle = c.Idle,
                }
                : null,
            Pids = r.Pids is { } p ? new PidsResources { Limit = p.Limit } : null,
            BlockIo = r.BlockIo is { } b
                ? new BlockIoResources
                {
                    Weight = b.Weight,
                    LeafWeight = b.LeafWeight,
                    WeightDevices = b.WeightDevice?.Select(d => new BlockIoWeightDevice(d.Major, d.Minor, d.Weight ?? 0)).ToList(),
                    ThrottleReadBps = Throttle(b.ThrottleReadBpsDevice),
                    ThrottleWriteBps = Throttle(b.ThrottleWriteBpsDevice),
                    ThrottleReadIops = Throttle(b.ThrottleReadIopsDevice),
                    ThrottleWriteIops = Throttle(b.ThrottleWriteIopsDevice),
                }
                : null,
            // The devices controller governs character and block devices only; a FIFO is opened like any file, so a
            // 'p' rule (podman writes one for --device of a FIFO) has nothing to allow or deny, and the kernel
            // rejects it in devices.allow: it is left out instead of failing the container as crun and runc do.
            Devices = r.Devices?.Where(d => d.Type != "p").Select(d => new DeviceRule(d.Allow, string.IsNullOrEmpty(d.Type) ? 'a' : d.Type[0], d.Major, d.Minor, string.IsNullOrEmpty(d.Access) ? "rwm" : d.Access)).ToList(),
            HugepageLimits = r.HugepageLimits?.Select(h => new HugepageLimit(h.PageSize, h.Limit)).ToList(),
            Network = r.Network is { } n
                ? new NetworkResources { ClassId = n.ClassId, Priorities = n.Priorities?.Select(p => new InterfacePriority(p.Name, p.Priority)).ToList() }
                : null,
            Unified = r.Unified,
        };
    }

    // 'u' is an unbuffered character device (a 'c' to the kernel); a FIFO ('p') is no device and needs no rule.
    private static char DeviceRuleType(string? type) => string.IsNullOrEmpty(type) || type == "u" ? 'c' : type[0];

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    private static List<BlockIoThrottleDevice>? Throttle(List<LinuxThrottleDevice>? list) =>
        list?.Select(d => new BlockIoThrottleDevice(d.Major, d.Minor, d.Rate)).ToList();
}
