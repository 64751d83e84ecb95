using System.Globalization;
using PSContainers.Runtime.Container;

namespace PSContainers.Runtime.Processes;

/// <summary>A CPU list such as "0-2,4" (process.execCPUAffinity) as the bit mask sched_setaffinity(2) takes.</summary>
internal static class CpuAffinityMask
{
    // Far above any machine this runs on, and small enough that a typo cannot ask for a huge buffer.
    private const int MaxCpu = 8191;

    public static byte[] Parse(string list, string field)
    {
        var mask = new byte[(MaxCpu + 1) / 8];
        var any = false;
        foreach (var part in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = part.IndexOf('-');
            var first = Cpu(dash < 0 ? part : part[..dash], list, field);
            var last = dash < 0 ? first : Cpu(part[(dash + 1)..], list, field);
            if (last < first)
            {
                throw new ContainerException($"{field} \"{list}\": the range {part} runs backwards.");
            }

            for (var cpu = first; cpu <= last; cpu++)
            {
                mask[cpu / 8] |= (byte)(1 << (cpu % 8));
                any = true;
            }
        }

        if (!any)
        {
            throw new ContainerException($"{field} \"{list}\" names no CPU; use a list such as \"0-2,4\".");
        }

        return mask;
    }

    private static int Cpu(string text, string list, string field) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var cpu) && cpu <= MaxCpu
            ? cpu
            : throw new ContainerException($"{field} \"{list}\": \"{text}\" is not a CPU number (0 to {MaxCpu}).");
}
