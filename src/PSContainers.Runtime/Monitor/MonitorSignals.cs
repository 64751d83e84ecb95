using System.Runtime.CompilerServices;

namespace PSContainers.Runtime.Monitor;

/// <summary>
/// The signals a monitor takes from a signalfd (children, stop requests, hang-up, broken pipes), blocked in every
/// thread of the process so that none is consumed elsewhere.
/// </summary>
/// <remarks>
/// A process-directed signal goes to any thread that does not block it. The .NET runtime's finalizer thread starts
/// before Main with an empty mask; a SIGTERM delivered there would run .NET's handler (whose callback starts on a
/// new thread, possibly after this image has already been replaced) or, without one, terminate the monitor. With
/// the signals blocked everywhere they stay pending: the set-up image's signalfd reads them, and what is still
/// pending at execve reaches the next image's signalfd (the mask and pending signals survive execve).
/// </remarks>
public static unsafe class MonitorSignals
{
    public static SigSet Blocked => SigSet.Of(Consts.SIGCHLD, Consts.SIGTERM, Consts.SIGINT, Consts.SIGHUP, Consts.SIGPIPE);

    /// <summary>What the monitor's signalfd reads.</summary>
    public static SigSet Wanted => SigSet.Of(Consts.SIGCHLD, Consts.SIGTERM, Consts.SIGINT, Consts.SIGHUP);

    /// <summary>Blocks the signals in this thread and in the finalizer thread; call before any other thread starts.</summary>
    public static void BlockInEveryThread()
    {
        var set = Blocked;
        Libc.PthreadSigmask(Libc.SIG_BLOCK, &set, null);
        FinalizerThreadBlocker.Run();
    }

    /// <summary>Whether every thread of this process blocks SIGTERM and SIGCHLD (for tests and diagnostics).</summary>
    public static bool BlockedInEveryThread()
    {
        const ulong bits = (1UL << (Consts.SIGTERM - 1)) | (1UL << (Consts.SIGCHLD - 1));
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            var line = File.ReadLines(Path.Combine(task, "status")).FirstOrDefault(l => l.StartsWith("SigBlk:", StringComparison.Ordinal));
            if (line is null || (Convert.ToUInt64(line["SigBlk:".Length..].Trim(), 16) & bits) != bits)
            {
                return false;
            }
        }

        return true;
    }

    // Code runs on the finalizer thread only as a finalizer: one blocks the signals there.
    private sealed class FinalizerThreadBlocker
    {
        private static volatile bool s_done;

        ~FinalizerThreadBlocker()
        {
            var set = Blocked;
            Libc.PthreadSigmask(Libc.SIG_BLOCK, &set, null);
            s_done = true;
        }

        public static void Run()
        {
            for (var attempt = 0; attempt < 5 && !s_done; attempt++)
            {
                Make();
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void Make() => _ = new FinalizerThreadBlocker();
    }
}
