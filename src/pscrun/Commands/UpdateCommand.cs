using System.Globalization;
using System.Text.Json;
using PSContainers.Runtime.Container;
using PSContainers.Runtime.Spec;

namespace PSContainers.Pscrun.Commands;

/// <summary>`update`: new limits for a running container, from --resources FILE (or -) or from flags.</summary>
internal static class UpdateCommand
{
    public static int Update(LinuxContainerRuntime runtime, ArgReader reader)
    {
        string? file = null;
        var r = new LinuxResources();
        reader.ReadFlags((name, value) =>
        {
            switch (name)
            {
                case "--resources" or "-r": file = value(); return true;
                case "--memory": Memory(r).Limit = Size(value()); return true;
                case "--memory-swap": Memory(r).Swap = Size(value()); return true;
                case "--memory-reservation": Memory(r).Reservation = Size(value()); return true;
                case "--cpu-shares": Cpu(r).Shares = ulong.Parse(value(), CultureInfo.InvariantCulture); return true;
                case "--cpu-quota": Cpu(r).Quota = long.Parse(value(), CultureInfo.InvariantCulture); return true;
                case "--cpu-period": Cpu(r).Period = ulong.Parse(value(), CultureInfo.InvariantCulture); return true;
                case "--cpuset-cpus": Cpu(r).Cpus = value(); return true;
                case "--cpuset-mems": Cpu(r).Mems = value(); return true;
                case "--pids-limit": r.Pids = new LinuxPids { Limit = long.Parse(value(), CultureInfo.InvariantCulture) }; return true;
                case "--blkio-weight": r.BlockIo = new LinuxBlockIo { Weight = ushort.Parse(value(), CultureInfo.InvariantCulture) }; return true;
                default: return false;
            }
        });
        if (file is not null)
        {
            var text = file == "-" ? Console.In.ReadToEnd() : File.ReadAllText(file);
            r = JsonSerializer.Deserialize(text, SpecJsonContext.Default.LinuxResources)
                ?? throw new UsageException($"{file}: empty resources document");
        }

        runtime.Update(LifecycleCommands.OneId(reader), r);
        return 0;
    }

    private static LinuxMemory Memory(LinuxResources r) => r.Memory ??= new LinuxMemory();

    private static LinuxCpu Cpu(LinuxResources r) => r.Cpu ??= new LinuxCpu();

    /// <summary>Bytes from "64m", "1g", "512k" or a plain number; -1 stays unlimited.</summary>
    internal static long Size(string text)
    {
        var t = text.Trim().ToLowerInvariant().TrimEnd('b');
        long mult = 1;
        if (t.Length > 0 && "kmg".Contains(t[^1]))
        {
            mult = t[^1] switch { 'k' => 1L << 10, 'm' => 1L << 20, _ => 1L << 30 };
            t = t[..^1];
        }

        return long.Parse(t, CultureInfo.InvariantCulture) * mult;
    }
}
