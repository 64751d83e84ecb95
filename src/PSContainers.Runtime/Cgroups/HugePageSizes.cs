using System.Globalization;

namespace PSContainers.Runtime.Cgroups;

/// <summary>The huge page sizes this kernel offers, and the cgroup spelling of a size ("2MB", "1GB").</summary>
public static class HugePageSizes
{
    public const string SysfsDirectory = "/sys/kernel/mm/hugepages";

    /// <summary>Sizes from /sys/kernel/mm/hugepages/hugepages-NkB, spelled as the hugetlb cgroup files spell them.</summary>
    public static IReadOnlyList<string> Available(string sysfsDirectory = SysfsDirectory)
    {
        if (!Directory.Exists(sysfsDirectory))
        {
            return [];
        }

        var sizes = new List<string>();
        foreach (var dir in Directory.GetDirectories(sysfsDirectory, "hugepages-*kB"))
        {
            var name = Path.GetFileName(dir);
            if (ulong.TryParse(name.AsSpan("hugepages-".Length, name.Length - "hugepages-".Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var kb))
            {
                sizes.Add(FromKilobytes(kb));
            }
        }

        return sizes;
    }

    // The kernel's own names (mm/hugetlb_cgroup.c): the largest unit that divides the size, KB/MB/GB.
    public static string FromKilobytes(ulong kb) =>
        kb % (1024 * 1024) == 0 ? string.Create(CultureInfo.InvariantCulture, $"{kb / (1024 * 1024)}GB")
        : kb % 1024 == 0 ? string.Create(CultureInfo.InvariantCulture, $"{kb / 1024}MB")
        : string.Create(CultureInfo.InvariantCulture, $"{kb}KB");

    /// <summary>Checks an OCI pageSize against the kernel's sizes; throws naming the size and the ones there are.</summary>
    public static void Validate(IEnumerable<HugepageLimit>? limits, string sysfsDirectory = SysfsDirectory)
    {
        IReadOnlyList<string>? available = null;
        foreach (var limit in limits ?? [])
        {
            available ??= Available(sysfsDirectory);
            if (!available.Contains(limit.PageSize, StringComparer.Ordinal))
            {
                throw new CgroupException(
                    $"linux.resources.hugepageLimits: page size \"{limit.PageSize}\" is not one this kernel offers " +
                    $"({(available.Count == 0 ? "it has no huge pages" : string.Join(", ", available))}, from {sysfsDirectory}).");
            }
        }
    }
}
