using System.Runtime.InteropServices;
using PSContainers.Runtime.Spec;

namespace PSContainers.Runtime.Processes.Plan;

/// <summary>Plans the process attributes a config may ask for: scheduler, I/O priority and personality.</summary>
/// <remarks>
/// Each value is checked here, before anything is cloned, so a config the kernel would refuse is refused with the
/// name of its field; the plan steps then only make the calls. They run before the capabilities are dropped:
/// a realtime policy or IOPRIO_CLASS_RT needs CAP_SYS_NICE / CAP_SYS_ADMIN of the runtime, as under runc and crun.
/// </remarks>
internal static unsafe class ProcessAttributesPlanner
{
    private const long SysPersonality = 135, SysIoprioSet = 251, SysSchedSetattr = 314;
    private const int IoprioWhoProcess = 1, IoprioClassShift = 13;

    // include/uapi/linux/sched.h
    private static readonly Dictionary<string, uint> Policies = new(StringComparer.Ordinal)
    {
        ["SCHED_OTHER"] = 0, ["SCHED_FIFO"] = 1, ["SCHED_RR"] = 2, ["SCHED_BATCH"] = 3, ["SCHED_ISO"] = 4, ["SCHED_IDLE"] = 5,
        ["SCHED_DEADLINE"] = 6,
    };

    private static readonly Dictionary<string, ulong> SchedFlags = new(StringComparer.Ordinal)
    {
        ["SCHED_FLAG_RESET_ON_FORK"] = 0x01, ["SCHED_FLAG_RECLAIM"] = 0x02, ["SCHED_FLAG_DL_OVERRUN"] = 0x04,
        ["SCHED_FLAG_KEEP_POLICY"] = 0x08, ["SCHED_FLAG_KEEP_PARAMS"] = 0x10, ["SCHED_FLAG_UTIL_CLAMP_MIN"] = 0x20,
        ["SCHED_FLAG_UTIL_CLAMP_MAX"] = 0x40,
    };

    private static readonly Dictionary<string, int> IoClasses = new(StringComparer.Ordinal)
    {
        ["IOPRIO_CLASS_RT"] = 1, ["IOPRIO_CLASS_BE"] = 2, ["IOPRIO_CLASS_IDLE"] = 3,
    };

    // include/uapi/linux/personality.h: PER_LINUX and PER_LINUX32, the two domains the spec names.
    private static readonly Dictionary<string, long> Domains = new(StringComparer.Ordinal)
    {
        ["LINUX"] = 0x0000, ["LINUX32"] = 0x0008,
    };

    [StructLayout(LayoutKind.Sequential)]
    private struct SchedAttr
    {
        public uint Size;
        public uint Policy;
        public ulong Flags;
        public int Nice;
        public uint Priority;
        public ulong Runtime;
        public ulong Deadline;
        public ulong Period;
    }

    public static void AddProcess(SetupPlan plan, Spec.Process process)
    {
        if (process.Scheduler is { } scheduler)
        {
            AddScheduler(plan, scheduler);
        }

        if (process.IoPriority is { } io)
        {
            if (!IoClasses.TryGetValue(io.Class, out var ioClass))
            {
                throw new SpecException($"process.ioPriority.class \"{io.Class}\" is not one of {string.Join(", ", IoClasses.Keys)}.");
            }

            var level = io.Priority ?? 4;
            if (level is < 0 or > 7)
            {
                throw new SpecException($"process.ioPriority.priority {level} is out of range: use 0 (highest) to 7.");
            }

            plan.Syscall($"ioprio_set {io.Class} {level} (process.ioPriority)", SysIoprioSet, IoprioWhoProcess, 0, (ioClass << IoprioClassShift) | level);
        }
    }

    public static void AddPersonality(SetupPlan plan, LinuxPersonality? personality)
    {
        if (personality is null)
        {
            return;
        }

        if (!Domains.TryGetValue(personality.Domain, out var domain))
        {
            throw new SpecException($"linux.personality.domain \"{personality.Domain}\" is not one of {string.Join(", ", Domains.Keys)}.");
        }

        if (personality.Flags is { Count: > 0 } flags)
        {
            // The runtime spec defines no flag values yet; one we do not know would otherwise be dropped.
            throw new SpecException($"linux.personality.flags [{string.Join(", ", flags)}]: the runtime spec defines no personality flags; remove them.");
        }

        plan.Syscall($"personality {personality.Domain} (linux.personality)", SysPersonality, domain);
    }

    private static void AddScheduler(SetupPlan plan, Scheduler s)
    {
        if (!Policies.TryGetValue(s.Policy, out var policy))
        {
            throw new SpecException($"process.scheduler.policy \"{s.Policy}\" is not one of {string.Join(", ", Policies.Keys)}.");
        }

        if (policy == 4)
        {
            throw new SpecException("process.scheduler.policy SCHED_ISO is reserved and not implemented by Linux; use SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_IDLE or SCHED_DEADLINE.");
        }

        ulong flags = 0;
        foreach (var name in s.Flags ?? [])
        {
            if (!SchedFlags.TryGetValue(name, out var bit))
            {
                throw new SpecException($"process.scheduler.flags: \"{name}\" is not one of {string.Join(", ", SchedFlags.Keys)}.");
            }

            flags |= bit;
        }

        var realtime = policy is 1 or 2;
        var priority = s.Priority ?? 0;
        if (realtime ? priority is < 1 or > 99 : priority != 0)
        {
            throw new SpecException(realtime
                ? $"process.scheduler.priority {priority} is out of range for {s.Policy}: use 1 to 99."
                : $"process.scheduler.priority must be 0 (or unset) for {s.Policy}; it is {priority}.");
        }

        var nice = s.Nice ?? 0;
        if (nice is < -20 or > 19)
        {
            throw new SpecException($"process.scheduler.nice {nice} is out of range: use -20 to 19.");
        }

        if (policy == 6 && (s.Runtime is null or 0 || s.Deadline is null or 0))
        {
            throw new SpecException("process.scheduler: SCHED_DEADLINE needs runtime and deadline (nanoseconds; period defaults to the deadline).");
        }

        var attr = plan.Arena.Struct<SchedAttr>();
        *attr = new SchedAttr
        {
            Size = (uint)sizeof(SchedAttr), Policy = policy, Flags = flags, Nice = nice, Priority = (uint)priority,
            Runtime = s.Runtime ?? 0, Deadline = s.Deadline ?? 0, Period = s.Period ?? 0,
        };
        plan.Syscall($"sched_setattr {s.Policy} (process.scheduler)", SysSchedSetattr, 0, (long)attr, 0);
    }
}
