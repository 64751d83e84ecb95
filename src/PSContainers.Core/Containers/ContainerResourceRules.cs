using System.Globalization;

namespace PSContainers.Core.Containers;

/// <summary>
/// The limits the kernel (or docker) would refuse, checked before a container exists so that a wrong value fails at
/// create with the rule and the limit, rather than as an init that exited while the runtime wrote the cgroup.
/// </summary>
/// <remarks>The rules are docker's (its daemon checks the same at create); the first words of each message are docker's own.</remarks>
public static class ContainerResourceRules
{
    /// <summary>Below this a memory cgroup cannot hold a runtime and a shell: docker's floor.</summary>
    public const long MinimumMemory = 6 * 1024 * 1024;

    /// <summary>cpu.shares of cgroup v1 is clamped by the kernel to 2..262144; outside it a value would not mean what was asked.</summary>
    public const ulong MinimumCpuShares = 2;

    public const ulong MaximumCpuShares = 262144;

    /// <summary>A CFS quota under 1 ms (0.01 CPU of a 100 ms period) is refused by the kernel.</summary>
    public const double MinimumCpus = 0.01;

    public static void Validate(ContainerResources wanted, int hostCpus, string? onlineCpus)
    {
        if (wanted.Memory is { } memory && memory < MinimumMemory)
        {
            throw ContainerEngineException.Invalid(
                $"Minimum memory limit allowed is 6MB: -Memory {memory} is below {MinimumMemory} bytes (64MB is 67108864).", "Memory");
        }

        if (wanted.MemoryReservation is { } reservation)
        {
            if (reservation < MinimumMemory)
            {
                throw ContainerEngineException.Invalid($"Minimum memory reservation allowed is 6MB: -MemoryReservation {reservation} is below {MinimumMemory} bytes.", "MemoryReservation");
            }

            if (wanted.Memory is { } limit && reservation > limit)
            {
                throw ContainerEngineException.Invalid(
                    $"Minimum memory limit can not be less than memory reservation limit: -Memory {limit} is below -MemoryReservation {reservation}.", "Memory");
            }
        }

        if (wanted.MemorySwap is { } swap)
        {
            if (swap is < -1 or 0)
            {
                throw ContainerEngineException.Invalid($"-MemorySwap {swap} is invalid: give memory plus swap in bytes (at least -Memory), or -1 for unlimited swap.", "MemorySwap");
            }

            if (wanted.Memory is null)
            {
                throw ContainerEngineException.Invalid("You should always set the Memory limit when using Memoryswap limit: give -Memory as well.", "MemorySwap");
            }

            if (swap != -1 && swap < wanted.Memory)
            {
                throw ContainerEngineException.Invalid(
                    $"Minimum memoryswap limit should be larger than memory limit: -MemorySwap ({swap}) is memory plus swap and must be at least -Memory ({wanted.Memory}), or -1 for unlimited swap.",
                    "MemorySwap");
            }
        }

        if (wanted.Cpus is { } cpus && (double.IsNaN(cpus) || cpus < MinimumCpus || cpus > hostCpus))
        {
            throw ContainerEngineException.Invalid(
                $"Range of CPUs is from 0.01 to {hostCpus}.00, as there are only {hostCpus} CPUs available: -Cpus {cpus.ToString(CultureInfo.InvariantCulture)} is out of range.", "Cpus");
        }

        // 0 is docker's "the default share" and is left unset.
        if (wanted.CpuShares is { } shares && shares != 0 && shares is < MinimumCpuShares or > MaximumCpuShares)
        {
            throw ContainerEngineException.Invalid(
                $"-CpuShares {shares} is out of range: the kernel takes {MinimumCpuShares} to {MaximumCpuShares} (1024 is the default weight of a container), or 0 for the default.", "CpuShares");
        }

        if (wanted.CpusetCpus is { } cpuset)
        {
            CheckCpuset(cpuset, onlineCpus);
        }

        if (wanted.BlkioWeight is { } weight && weight is < 10 or > 1000)
        {
            throw ContainerEngineException.Invalid($"Range of blkio weight is from 10 to 1000: -BlkioWeight {weight} is out of range.", "BlkioWeight");
        }
    }

    /// <summary>The CPUs the kernel has online ("0-1"), or null when it does not say.</summary>
    public static string? ReadOnlineCpus()
    {
        try
        {
            return File.ReadAllText("/sys/devices/system/cpu/online").Trim();
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void CheckCpuset(string cpuset, string? onlineCpus)
    {
        if (ParseCpuList(cpuset) is not { } requested)
        {
            throw ContainerEngineException.Invalid($"Invalid value {cpuset} for cpuset cpus: use a list of CPU numbers and ranges such as 0-2,4.", "CpusetCpus");
        }

        if (onlineCpus is not null && ParseCpuList(onlineCpus) is { } online && !requested.IsSubsetOf(online))
        {
            throw ContainerEngineException.Invalid($"Requested CPUs are not available - requested {cpuset}, available: {onlineCpus}.", "CpusetCpus");
        }
    }

    /// <summary>The kernel's cpu list format (0-2,4); null when it is not one. Bounded: a range over 8192 CPUs is not a host's.</summary>
    public static HashSet<int>? ParseCpuList(string text)
    {
        var set = new HashSet<int>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        foreach (var part in text.Split(','))
        {
            var dash = part.IndexOf('-');
            var first = dash < 0 ? part : part[..dash];
            var last = dash < 0 ? part : part[(dash + 1)..];
            if (!int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var from)
                || !int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var to)
                || to < from || to >= 8192)
            {
                return null;
            }

            for (var cpu = from; cpu <= to; cpu++)
            {
                set.Add(cpu);
            }
        }

        return set;
    }
}
