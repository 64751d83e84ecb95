namespace PSContainers.Runtime.Cgroups;

// v1 to v2 value mappings, using the formulas crun uses so containers behave the same
// whichever runtime starts them.
internal static class CgroupConversions
{
    /// <summary>cpu.shares (2..262144) to cpu.weight (1..10000).</summary>
    public static ulong SharesToWeight(ulong shares)
    {
        shares = Math.Clamp(shares, 2UL, 262144UL);
        return 1 + ((shares - 2) * 9999) / 262142;
    }

    /// <summary>blkio.weight (10..1000) to io.weight (1..10000).</summary>
    public static ulong BlockIoWeightToIoWeight(ulong weight)
    {
        weight = Math.Clamp(weight, 10UL, 1000UL);
        return 1 + ((weight - 10) * 9999) / 990;
    }
}
