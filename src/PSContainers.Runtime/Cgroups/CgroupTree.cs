using System.Globalization;
using Microsoft.Extensions.Logging;

namespace PSContainers.Runtime.Cgroups;

// Operations over a cgroup directory and its child cgroups, shared by both drivers.
internal static class CgroupTree
{
    private const long CgroupV1SuperMagic = 0x27e0eb;
    private const int ENOTEMPTY = 39;
    private const int MaxSignalRounds = 10;

    public static List<int> ReadPidsRecursive(string directory)
    {
        var pids = new List<int>();
        Collect(directory, pids);
        return pids;
    }

    private static void Collect(string directory, List<int> pids)
    {
        string? procs = CgroupFile.TryRead(Path.Join(directory, "cgroup.procs"));
        if (procs is null)
        {
            return;
        }

        foreach (string line in procs.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && !pids.Contains(pid))
            {
                pids.Add(pid);
            }
        }

        foreach (string child in SafeChildren(directory))
        {
            Collect(child, pids);
        }
    }

    private static IEnumerable<string> SafeChildren(string directory)
    {
        try
        {
            return Directory.GetDirectories(directory);
        }
        catch (DirectoryNotFoundException)
        {
            // The cgroup went away while we walked it.
            return [];
        }
    }

    /// <summary>Removes child cgroups first, then the directory, retrying while the kernel says EBUSY.</summary>
    public static void Remove(string directory, TimeSpan timeout)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        foreach (string child in SafeChildren(directory))
        {
            Remove(child, timeout);
        }

        DateTime deadline = DateTime.UtcNow + timeout;
        int delayMs = 1;
        while (true)
        {
            int errno = CgroupNative.RemoveDirectory(directory);
            if (errno is 0 or CgroupNative.ENOENT)
            {
                return;
            }

            if (errno == ENOTEMPTY && !IsCgroupFs(directory))
            {
                // A fake cgroupfs in a plain directory: its interface files are real files.
                Directory.Delete(directory, recursive: true);
                return;
            }

            if (errno != CgroupNative.EBUSY || DateTime.UtcNow >= deadline)
            {
                throw new CgroupException(
                    $"Cannot remove cgroup {directory}: {CgroupNative.Describe(errno)}" +
                    (errno == CgroupNative.EBUSY ? " (processes are still in it; kill them first)" : string.Empty),
                    directory, null, errno);
            }

            Thread.Sleep(delayMs);
            delayMs = Math.Min(delayMs * 2, 100);
        }
    }

    private static bool IsCgroupFs(string directory) =>
        CgroupNative.FileSystemType(directory) is CgroupV1SuperMagic or CgroupNative.Cgroup2SuperMagic;

    /// <summary>Signals every pid, then re-reads the cgroup and signals newcomers (children forked meanwhile).</summary>
    public static void SignalAll(Func<IReadOnlyList<int>> readPids, int signal, string cgroup, ILogger logger)
    {
        var signaled = new HashSet<int>();
        for (int round = 0; round < MaxSignalRounds; round++)
        {
            var fresh = readPids().Where(p => !signaled.Contains(p)).ToList();
            if (fresh.Count == 0)
            {
                return;
            }

            foreach (int pid in fresh)
            {
                int errno = CgroupNative.Kill(pid, signal);
                if (errno != 0 && errno != CgroupNative.ESRCH)
                {
                    throw new CgroupException(
                        $"Cannot send signal {signal} to pid {pid} of cgroup {cgroup}: {CgroupNative.Describe(errno)}",
                        cgroup, null, errno);
                }

                signaled.Add(pid);
            }
        }

        logger.LogWarning("Cgroup {Cgroup} still gained new processes after {Rounds} rounds of signal {Signal}", cgroup, MaxSignalRounds, signal);
    }

    /// <summary>Polls until the condition holds or the timeout passes; returns whether it held.</summary>
    public static bool WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        int delayMs = 1;
        while (!condition())
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            Thread.Sleep(delayMs);
            delayMs = Math.Min(delayMs * 2, 50);
        }

        return true;
    }
}
