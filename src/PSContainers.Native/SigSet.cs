namespace PSContainers.Native;

/// <summary>glibc's sigset_t (1024 bits); only the first word holds the signals 1-64 Linux has.</summary>
[StructLayout(LayoutKind.Sequential, Size = 128)]
public struct SigSet
{
    public ulong Bits;

    public static SigSet Of(params ReadOnlySpan<int> signals)
    {
        var set = default(SigSet);
        foreach (var s in signals)
        {
            set.Bits |= 1UL << (s - 1);
        }

        return set;
    }

    public readonly bool Has(int signal) => (Bits & (1UL << (signal - 1))) != 0;
}
