using System.Globalization;

namespace PSContainers.Runtime.Monitor;

/// <summary>Gives back what a waiting monitor does not need: the pages of its own binary it mapped at start but will not touch again.</summary>
/// <remarks>
/// Starting a .NET image maps far more of the executable than it uses (the kernel maps 16 pages around each
/// fault), and every monitor's page tables keep those pages: in Pss they are a share of the binary per monitor.
/// Unmapping the read-only segments and the still clean pages of the data segment leaves only what the waiting
/// loop touches again; such a page comes back from the page cache on its next use, one page at a time (Libc.MADV_RANDOM).
/// Pages the process (or the dynamic linker, in the read-only-after-relocation segment) wrote to are private
/// copies and are kept: /proc/self/pagemap tells them apart.
/// </remarks>
internal static unsafe class IdleMemory
{
    private const int PageSize = 4096;
    private const ulong PagePresent = 1UL << 63, PageFileOrShared = 1UL << 61;

    public static void Trim()
    {
        List<(ulong Start, ulong End)> segments;
        try
        {
            segments = OwnSegments();
        }
        catch (IOException)
        {
            segments = [];
        }

        var pagemap = Libc.Open("/proc/self/pagemap", Consts.O_RDONLY | Consts.O_CLOEXEC, 0);
        if (pagemap < 0)
        {
            return;
        }

        try
        {
            foreach (var (start, end) in segments)
            {
                Libc.Madvise((void*)start, (nuint)(end - start), Libc.MADV_RANDOM);
                DropCleanPages(pagemap, start, end);
            }
        }
        finally
        {
            Libc.Close(pagemap);
        }
    }

    /// <summary>Unmaps the runs of pages of a private file mapping that are still the file's own (never written).</summary>
    private static void DropCleanPages(int pagemap, ulong start, ulong end)
    {
        const int Batch = 512;
        var entries = stackalloc ulong[Batch];
        var runStart = 0UL;
        for (var page = start; page < end;)
        {
            var count = (int)Math.Min((ulong)Batch, (end - page) / PageSize);
            var offset = (long)(page / PageSize * 8);
            var got = (int)Libc.PRead(pagemap, (byte*)entries, count * 8, offset) / 8;
            if (got <= 0)
            {
                return;
            }

            for (var i = 0; i < got; i++, page += PageSize)
            {
                var clean = (entries[i] & (PagePresent | PageFileOrShared)) == (PagePresent | PageFileOrShared);
                if (clean && runStart == 0)
                {
                    runStart = page;
                }
                else if (!clean && runStart != 0)
                {
                    Libc.Madvise((void*)runStart, (nuint)(page - runStart), Libc.MADV_DONTNEED);
                    runStart = 0;
                }
            }
        }

        if (runStart != 0)
        {
            Libc.Madvise((void*)runStart, (nuint)(end - runStart), Libc.MADV_DONTNEED);
        }
    }

    /// <summary>The private file mappings of this process's executable, from /proc/self/maps.</summary>
    private static List<(ulong, ulong)> OwnSegments()
    {
        var exe = File.ResolveLinkTarget("/proc/self/exe", returnFinalTarget: false)?.FullName;
        var list = new List<(ulong, ulong)>();
        if (exe is null)
        {
            return list;
        }

        foreach (var line in File.ReadAllLines("/proc/self/maps"))
        {
            // start-end perms offset dev inode path
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || fields[5].Trim() != exe || fields[1].Length < 4 || fields[1][3] != 'p')
            {
                continue;
            }

            var dash = fields[0].IndexOf('-');
            var start = ulong.Parse(fields[0].AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var end = ulong.Parse(fields[0].AsSpan(dash + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            list.Add((start, end));
        }

        return list;
    }
}
