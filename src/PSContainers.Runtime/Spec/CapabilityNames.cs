namespace PSContainers.Runtime.Spec;

/// <summary>Maps Linux capability names (CAP_SYS_ADMIN) to their numbers and back.</summary>
public static class CapabilityNames
{
    // Index = capability number, from linux/capability.h; 40 is the last one kernel 6.x defines.
    private static readonly string[] Names =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
        "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
        "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
        "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
        "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
        "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
        "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
        "CAP_CHECKPOINT_RESTORE",
    ];

    private static readonly Dictionary<string, int> Numbers = BuildLookup();

    public const int Last = 40;

    // All names with the CAP_ prefix, ordered by number.
    public static IReadOnlyList<string> All => Names;

    /// <summary>The capabilities this process may still pass on (its bounding set): what "all" can mean for a container.</summary>
    /// <remarks>A sandboxed root (this VM's lacks CAP_SYS_RESOURCE) cannot give more: capset would fail with EPERM.</remarks>
    public static IReadOnlyList<string> Grantable()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("CapBnd:", StringComparison.Ordinal))
                {
                    var mask = ulong.Parse(line.AsSpan(7).Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
                    return Names.Where((_, number) => (mask & (1UL << number)) != 0).ToList();
                }
            }
        }
        catch (IOException)
        {
        }

        return Names;
    }

    // Accepts "CAP_SYS_ADMIN", "sys_admin", "Sys_Admin"...; throws SpecException for anything else.
    public static int Parse(string name)
    {
        if (TryParse(name, out var number))
        {
            return number;
        }
        throw new SpecException($"unknown capability \"{name}\"; use a name such as CAP_NET_ADMIN or NET_ADMIN (see capabilities(7)).");
    }

    public static bool TryParse(string? name, out int number)
    {
        number = -1;
        if (string.IsNullOrWhiteSpace(name))
        {
            return false;
        }
        var key = name.Trim();
        if (!key.StartsWith("CAP_", StringComparison.OrdinalIgnoreCase))
        {
            key = "CAP_" + key;
        }
        return Numbers.TryGetValue(key, out number);
    }

    // The canonical CAP_* name of a capability number.
    public static string ToName(int number)
    {
        if ((uint)number > Last)
        {
            throw new ArgumentOutOfRangeException(nameof(number), number, $"capability numbers run from 0 to {Last}.");
        }
        return Names[number];
    }

    // Normalizes user input ("net_admin") to the form config.json uses ("CAP_NET_ADMIN").
    public static string Normalize(string name) => ToName(Parse(name));

    private static Dictionary<string, int> BuildLookup()
    {
        var lookup = new Dictionary<string, int>(Names.Length, StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Names.Length; i++)
        {
            lookup.Add(Names[i], i);
        }
        return lookup;
    }
}
