using System.Runtime.CompilerServices;
using PSContainers.Runtime.Processes.Plan;

namespace PSContainers.Runtime.Processes;

/// <summary>Clones a child into new namespaces and has it execute a sealed copy of pscrun.</summary>
/// <remarks>
/// The child is a copy of a multi-threaded .NET process with only one thread: between clone and
/// execve it calls only libc through entries that do not marshal, on memory prepared here beforehand.
/// It waits for one byte on its socket (the parent writes id maps and joins the cgroup first),
/// joins the namespaces given by path, then execs. A failure is reported as two ints on the socket.
/// </remarks>
internal static unsafe class ChildSpawner
{
    public const int StepRead = 1;
    public const int StepSetResGid = 2;
    public const int StepSetResUid = 3;
    public const int StepSetnsBase = 10;
    public const int StepExec = 100;
    public const int StepPlanBase = 1000;

    /// <summary>Clones a child that runs a setup plan and ends in execve of the container's program.</summary>
    public static int SpawnWithPlan(int cloneFlags, IReadOnlyList<(int Fd, int Type)> join, int childSocket, bool becomeRoot, SetupPlan plan) =>
        Spawn(cloneFlags, join, childSocket, -1, Array.Empty<string>(), Array.Empty<string>(), becomeRoot, plan);

    public static int Spawn(int cloneFlags, IReadOnlyList<(int Fd, int Type)> join, int childSocket, int execFd,
        IReadOnlyList<string> argv, IReadOnlyList<string> env, bool becomeRoot, SetupPlan? plan = null)
    {
        using var nativeArgv = new NativeStringArray(argv);
        using var nativeEnv = new NativeStringArray(env);
        var ops = plan is null ? null : plan.Ops;
        var opCount = plan?.Count ?? 0;
        var descriptions = plan is null ? null : plan.Descriptions;
        var createdStep = plan?.CreatedStep ?? -1;
        var ns = stackalloc int[join.Count * 2 + 2];
        for (var i = 0; i < join.Count; i++)
        {
            ns[2 * i] = join[i].Fd;
            ns[2 * i + 1] = join[i].Type;
        }

        var empty = stackalloc byte[1];
        empty[0] = 0;
        var frame = stackalloc byte[16];
        frame[0] = SyncChannel.ChildFailed;
        *(int*)(frame + 1) = 8;
        var go = stackalloc byte[1];

        var pid = Libc.SyscallRaw(SysNo.Clone, cloneFlags | Consts.SIGCHLD, 0, 0, 0, 0);
        if (pid == 0)
        {
            ChildMain(childSocket, execFd, ns, join.Count, becomeRoot, nativeArgv.Pointer, nativeEnv.Pointer, empty, frame, go,
                ops, opCount, descriptions, createdStep);
        }

        if (pid < 0)
        {
            throw new SyscallException("clone", FlagNames(cloneFlags), Libc.ErrnoRaw);
        }

        return (int)pid;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ChildMain(int sock, int execFd, int* ns, int count, bool becomeRoot, byte** argv, byte** envp, byte* empty, byte* frame, byte* go,
        PlanOp* ops, int opCount, byte** descriptions, int createdStep)
    {
        while (true)
        {
            var n = Libc.ReadRaw(sock, go, 1);
            if (n == 1)
            {
                break;
            }

            if (n == 0 || Libc.ErrnoRaw != Errno.EINTR)
            {
                Fail(sock, frame, StepRead, n == 0 ? 0 : Libc.ErrnoRaw);
            }
        }

        for (var i = 0; i < count; i++)
        {
            if (Libc.SetnsRaw(ns[2 * i], ns[2 * i + 1]) < 0)
            {
                Fail(sock, frame, StepSetnsBase + i, Libc.ErrnoRaw);
            }
        }

        // In a user namespace the creator's uid is unmapped: become its root before execve,
        // or execve would recompute capabilities for a non-root uid and drop them all.
        if (becomeRoot)
        {
            if (Libc.SyscallRaw(SysNo.SetResGid, 0, 0, 0, 0, 0) < 0)
            {
                Fail(sock, frame, StepSetResGid, Libc.ErrnoRaw);
            }

            if (Libc.SyscallRaw(SysNo.SetResUid, 0, 0, 0, 0, 0) < 0)
            {
                Fail(sock, frame, StepSetResUid, Libc.ErrnoRaw);
            }
        }

        if (ops != null)
        {
            var failed = PlanExecutor.Run(ops, opCount, out var errno);
            if (failed < 0)
            {
                Libc.ExitRaw(0);
            }

            if (createdStep >= 0 && failed > createdStep)
            {
                // The runtime has stopped listening: stderr is the container's, and the only place left to say it.
                PlanExecutor.ReportToStderr(descriptions[failed], errno);
                Libc.ExitRaw(127);
            }

            Fail(sock, frame, StepPlanBase + failed, errno);
        }

        Libc.SyscallRaw(SysNo.ExecveAt, execFd, (long)empty, (long)argv, (long)envp, Consts.AT_EMPTY_PATH);
        Fail(sock, frame, StepExec, Libc.ErrnoRaw);
    }

    private static void Fail(int sock, byte* frame, int step, int errno)
    {
        *(int*)(frame + 5) = step;
        *(int*)(frame + 9) = errno;
        Libc.WriteRaw(sock, frame, 13);
        Libc.ExitRaw(127);
    }

    public static string FlagNames(int flags)
    {
        var names = new List<string>();
        void Add(int f, string n)
        {
            if ((flags & f) != 0)
            {
                names.Add(n);
            }
        }

        Add(Consts.CLONE_NEWUSER, "CLONE_NEWUSER");
        Add(Consts.CLONE_NEWPID, "CLONE_NEWPID");
        Add(Consts.CLONE_NEWNS, "CLONE_NEWNS");
        Add(Consts.CLONE_NEWNET, "CLONE_NEWNET");
        Add(Consts.CLONE_NEWIPC, "CLONE_NEWIPC");
        Add(Consts.CLONE_NEWUTS, "CLONE_NEWUTS");
        Add(Consts.CLONE_NEWCGROUP, "CLONE_NEWCGROUP");
        return names.Count == 0 ? "no new namespaces" : string.Join('|', names);
    }
}
