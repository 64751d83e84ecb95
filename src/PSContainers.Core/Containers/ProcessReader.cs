using System.Globalization;

namespace PSContainers.Core.Containers;

/// <summary>Reads one process's /proc entries for Get-ContainerProcess, and the host's memory for stats.</summary>
public static class ProcessReader
{
    // USER_HZ is 100 on every Linux ABI .NET runs on.
    private const double TicksPerSecond = 100;

    public static ContainerProcessInfo? Read(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var open = stat.IndexOf('(');
            var close = stat.LastIndexOf(')');
            var fields = stat[(close + 2)..].Split(' ');
            var uid = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal))
                ?.Split('\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1);
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline").TrimEnd('\0').Replace('\0', ' ');
            var ticks = ulong.Parse(fields[11], CultureInfo.InvariantCulture) + ulong.Parse(fields[12], CultureInfo.InvariantCulture);
            return new ContainerProcessInfo
            {
                Pid = pid,
                ParentPid = int.Parse(fields[1], CultureInfo.InvariantCulture),
                State = fields[0],
                Uid = uid is null ? 0 : uint.Parse(uid, CultureInfo.InvariantCulture),
                CpuTime = TimeSpan.FromSeconds(ticks / TicksPerSecond),
                Command = stat[(open + 1)..close],
                CommandLine = cmdline,
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Exited while we looked.
            return null;
        }
    }

    public static ulong HostMemoryBytes()
    {
        var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        var kb = ulong.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return kb * 1024;
    }
}
