namespace PSContainers.Runtime.Spec;

/// <summary>Refuses, by name, every config field pscrun reads but does not implement.</summary>
/// <remarks>
/// A field that is dropped without a word leaves a container less confined, or differently placed, than its
/// author asked. docs/security.md ("Runtime conformance") lists each field as implemented or refused, and why.
/// </remarks>
public static class SpecConformance
{
    /// <summary>Throws a SpecException naming the first field of a container config that pscrun would not honour.</summary>
    public static void CheckContainer(Spec spec)
    {
        if (spec.Process is { } process)
        {
            CheckProcess(process);
        }

        var linux = spec.Linux;
        Refuse(linux?.IntelRdt is not null, "linux.intelRdt", "Intel RDT (resctrl) is not implemented");
        Refuse(linux?.TimeOffsets is { Count: > 0 }, "linux.timeOffsets", "the time namespace is not implemented");
        Refuse(!string.IsNullOrEmpty(linux?.MountLabel), "linux.mountLabel", "SELinux labels are not implemented");
        Refuse(linux?.NetDevices is { Count: > 0 }, "linux.netDevices", "moving host network devices into the container is not implemented");
        Refuse(linux?.MemoryPolicy is not null, "linux.memoryPolicy", "NUMA memory policies (set_mempolicy) are not implemented");
        for (var i = 0; i < (spec.Mounts?.Count ?? 0); i++)
        {
            var m = spec.Mounts![i];
            Refuse(m.UidMappings is { Count: > 0 } || m.GidMappings is { Count: > 0 }, $"mounts[{i}].uidMappings/gidMappings",
                "id-mapped mounts are not implemented");
        }

        if (linux?.Resources is { } r)
        {
            Refuse(r.Rdma is { Count: > 0 }, "linux.resources.rdma", "the rdma cgroup controller is not implemented");
            Refuse(r.Memory?.Kernel is not null, "linux.resources.memory.kernel",
                "kernel memory limits are deprecated by the runtime spec and gone from Linux 5.16 on");
            Refuse(r.Memory?.KernelTcp is not null, "linux.resources.memory.kernelTCP", "kernel TCP memory limits are not implemented");
            // memory.use_hierarchy is always 1 on the kernels this runs on: asking for it is fine, asking against it is not.
            Refuse(r.Memory?.UseHierarchy == false, "linux.resources.memory.useHierarchy", "a flat memory hierarchy does not exist on current kernels");
            Refuse(r.Memory?.CheckBeforeUpdate is not null, "linux.resources.memory.checkBeforeUpdate", "the check of usage before an update is not implemented");
        }
    }

    /// <summary>The process fields alone: what `exec --process` may bring.</summary>
    public static void CheckProcess(Process process)
    {
        Refuse(!string.IsNullOrEmpty(process.ApparmorProfile), "process.apparmorProfile", "AppArmor is not implemented");
        Refuse(!string.IsNullOrEmpty(process.SelinuxLabel), "process.selinuxLabel", "SELinux labels are not implemented");
        Refuse(!string.IsNullOrEmpty(process.CommandLine), "process.commandLine", "it is a Windows field; use process.args");
    }

    private static void Refuse(bool present, string field, string why)
    {
        if (present)
        {
            throw new SpecException($"{field} is set, but pscrun does not honour it: {why}. Remove it from the config.");
        }
    }
}
