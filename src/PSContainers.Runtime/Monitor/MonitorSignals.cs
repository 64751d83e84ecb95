using System.Runtime.CompilerServices;

namespace PSContainers.Runtime.Monitor;

/// <summary>
/// The signals a monitor takes from a signalfd: stop requests, hang-up and broken pipes are blocked in every thread
/// of the process so that none is consumed elsewhere; SIGCHLD in the main thread.
/// </summary>
/// <remarks>
/// A process-directed signal goes to any thread that does not block it. The .NET runtime's finalizer thread starts
/// before Main with an empty mask; a SIGTERM delivered there would run .NET's handler (whose callback starts on a
/// new thread, possibly after this image has already been replaced) or, without one, terminate the monitor. With
/// the signals blocked everywhere they stay pending: the set-up image's signalfd reads them, and what is still
/// pending at execve reaches the next image's signalfd (the mask and pending signals survive execve).
/// SIGCHLD stays open on the finalizer thread: .NET's Process (hooks run through it) learns of its children's exits
/// from it. The monitor does not depend on SIGCHLD for the init: it waits on a pidfd, and every loop reaps once
/// before it waits.
/// </remarks>
public static unsafe class MonitorSignals
{
    public static SigSet Blocked => SigSet.Of(Consts.SIGCHLD, Consts.SIGTERM, Consts.SIGINT, Consts.SIGHUP, Consts.SIGPIPE);

    /// <summary>Blocked in the runtime's threads as well.</summary>
    public static SigSet StopSignals => SigSet.Of(Consts.SIGTERM, Consts.SIGINT, Consts.SIGHUP, Consts.SIGPIPE);

    /// <summary>What the monitor's signalfd reads.</summary>
    public static SigSet Wanted => SigSet.Of(Consts.SIGCHLD, Consts.SIGTERM, Consts.SIGINT, Consts.SIGHUP);

    /// <summary>Blocks the signals in this thread and the stop signals in the finalizer thread; call before any other thread starts.</summary>
    public static void BlockInEveryThread()
    {
        var set = Blocked;
        Libc.PthreadSigmask(Libc.SIG_BLOCK, &set, null);
        FinalizerThreadBlocker.Run();
    }

    // Code runs on the finalizer thread only as a finalizer: one blocks the signals there.
    private sealed class FinalizerThreadBlocker
    {
        private static volatile bool s_done;

        ~FinalizerThreadBlocker()
        {
            var set = StopSignals;
            Libc.PthreadSigmask(Libc.SIG_BLOCK, &set, null);
            s_done = true;
        }

        public static void Run()
        {
            for (var attempt = 0; attempt < 5 && !s_done; attempt++)
            {
                Make();
                // A gen0 collection finds it: it is the youngest object there is.
                GC.Collect(0, GCCollectionMode.Forced, blocking: true);
                GC.WaitForPendingFinalizers();
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void Make() => _ = new FinalizerThreadBlocker();
    }
}
