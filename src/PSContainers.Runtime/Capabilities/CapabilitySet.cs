using PSContainers.Runtime.Spec;

namespace PSContainers.Runtime.Capabilities;

/// <summary>A set of Linux capabilities as the 64-bit mask capset(2) takes.</summary>
internal readonly struct CapabilitySet
{
    private CapabilitySet(ulong bits)
    {
        Bits = bits;
    }

    public ulong Bits { get; }

    public static CapabilitySet From(IEnumerable<string>? names)
    {
        ulong bits = 0;
        var last = LastCap();
        foreach (var name in names ?? Array.Empty<string>())
        {
            var n = CapabilityNames.Parse(name);
            // Capabilities newer than this kernel are skipped, as runc does, so one config serves many hosts.
            if (n <= last)
            {
                bits |= 1UL << n;
            }
        }

        return new CapabilitySet(bits);
    }

    public bool Has(int cap) => (Bits & (1UL << cap)) != 0;

    public IEnumerable<int> Numbers()
    {
        for (var i = 0; i < 64; i++)
        {
            if (Has(i))
            {
                yield return i;
            }
        }
    }

    public static string NameOf(int cap) => CapabilityNames.ToName(cap);

    private static int? _lastCap;

    public static int LastCap()
    {
        if (_lastCap is null)
        {
            try
            {
                _lastCap = int.Parse(File.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                _lastCap = 40;
            }
        }

        return _lastCap.Value;
    }
}
