namespace PSContainers.Runtime.Cgroups;

// Checks a whole CgroupResources before the first write, so bad input leaves no half-applied limits.
internal static class CgroupResourceValidator
{
    public static void Validate(CgroupResources r)
    {
        if (r.Memory is { Limit: long limit, Swap: long swap } && limit != -1 && swap != -1 && swap < limit)
        {
            throw new CgroupException(
                $"Memory+swap limit {swap} is lower than the memory limit {limit}; it must be at least the memory limit (or -1 for unlimited swap).");
        }

        if (r.Memory is { Limit: -1, Swap: long s } && s != -1)
        {
            throw new CgroupException($"Memory+swap limit {s} needs a memory limit; the memory limit is unlimited (-1).");
        }

        if (r.Memory?.Swappiness is > 100 and var swappiness)
        {
            throw new CgroupException($"linux.resources.memory.swappiness {swappiness} is out of range: use 0 to 100.");
        }

        if (r.Cpu?.Idle is long idle and not (0 or 1))
        {
            throw new CgroupException($"linux.resources.cpu.idle {idle} is invalid: use 0 or 1.");
        }

        foreach (DeviceRule rule in r.Devices ?? [])
        {
            if (rule.Type is not ('a' or 'b' or 'c'))
            {
                throw new CgroupException($"Device rule type '{rule.Type}' is invalid: use 'a' (all), 'b' (block) or 'c' (char).");
            }

            if (rule.Access.Length == 0 || rule.Access.Any(c => c is not ('r' or 'w' or 'm')))
            {
                throw new CgroupException($"Device rule access '{rule.Access}' is invalid: use a combination of 'r', 'w' and 'm'.");
            }
        }

        foreach (string name in r.Unified?.Keys ?? Enumerable.Empty<string>())
        {
            if (name.Length == 0 || name.Contains('/') || name.Contains("..", StringComparison.Ordinal) || name.Contains('\0'))
            {
                throw new CgroupException($"Unified cgroup file name '{name}' is invalid: it must be a plain file name such as 'memory.high'.");
            }
        }
    }

    /// <summary>True when the rules leave every device fully accessible, so a missing device controller changes nothing.</summary>
    public static bool AllowsAllDevices(IReadOnlyList<DeviceRule>? rules)
    {
        bool allowed = true;
        foreach (DeviceRule rule in rules ?? [])
        {
            bool coversAll = rule.Type == 'a' && rule.Major is null && rule.Minor is null && rule.Access.Distinct().Count() == 3;
            if (rule.Allow && coversAll)
            {
                allowed = true;
            }
            else if (!rule.Allow)
            {
                allowed = false;
            }
        }

        return allowed;
    }

    /// <summary>The v1 devices.allow/deny line, e.g. "c 1:3 rwm" or "a *:* rwm".</summary>
    public static string FormatDeviceRule(DeviceRule rule)
    {
        string major = rule.Major is long ma ? CgroupFile.Format(ma) : "*";
        string minor = rule.Minor is long mi ? CgroupFile.Format(mi) : "*";
        return $"{rule.Type} {major}:{minor} {rule.Access}";
    }
}
