using System.Runtime.InteropServices;
using System.Text;
using PSContainers.Native;

namespace PSContainers.Init;

/// <summary>psc-init, the PID 1 of containers started with -Init: runs one command, forwards signals to it and reaps every orphan.</summary>
/// <remarks>
/// A process that is PID 1 of its pid namespace gets no signal it has no handler for, and orphans are reparented
/// to it: a shell or a server as PID 1 neither dies of a plain SIGTERM nor waits for adopted children, which
/// then stay zombies. This binary is linked statically, because it runs from a bind mount inside roots that may
/// have no libc at all.
/// </remarks>
internal static unsafe class Program
{
    private const long SysFork = 57, SysGetpid = 39, SysSetpgid = 109, SysRtSigaction = 13, SysRtSigprocmask = 14, SysIoctl = 16;
    private const int SigBlock = 0, SigSetmask = 2, Sigttou = 22;
    private const ulong Tiocspgrp = 0x5410;

    // Signals a user sends to stop, reload or poke a service; SIGKILL and SIGSTOP cannot be caught, and the
    // job-control signals belong to the terminal's process group, which is the child's.
    private static readonly int[] ForwardedSignals = [1, 2, 3, 10, 12, 14, 15, 28];

    private static int s_child;
    private static int s_pending;

    private static int Main(string[] args)
    {
        var command = args.Length > 0 && args[0] == "--" ? args[1..] : args;
        if (command.Length == 0 || command[0].Length == 0)
        {
            Console.Error.WriteLine("psc-init: usage: psc-init [--] COMMAND [ARG...]");
            return 2;
        }

        if (Environment.ProcessId != 1)
        {
            // Not PID 1 (a container that shares a pid namespace): still adopt and reap the command's orphans.
            Libc.Prctl(Consts.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        }

        var environment = ReadEnvironment();
        var argv = NativeStrings(command);
        var envp = NativeStrings(environment);
        var candidates = NativeStrings(Candidates(command[0], environment));
        var notFound = NativeString($"psc-init: cannot run \"{command[0]}\": not found\n", out var notFoundLength);
        var notExecutable = NativeString($"psc-init: cannot run \"{command[0]}\": not executable or not permitted\n", out var notExecutableLength);
        var sigset = (ulong*)NativeMemory.AllocZeroed(8);
        var defaultAction = NativeMemory.AllocZeroed(32);

        var registrations = new List<PosixSignalRegistration>();
        foreach (var signal in ForwardedSignals)
        {
            registrations.Add(PosixSignalRegistration.Create((PosixSignal)SignalNumberToPosix(signal), Forward));
        }

        var pid = (int)Libc.SyscallRaw(SysFork, 0, 0, 0, 0, 0);
        if (pid == 0)
        {
            ExecChild(argv, envp, candidates, sigset, defaultAction, notFound, notFoundLength, notExecutable, notExecutableLength);
        }

        if (pid < 0)
        {
            Console.Error.WriteLine($"psc-init: fork failed: {Errno.Name(Libc.ErrnoRaw)}");
            return 126;
        }

        Volatile.Write(ref s_child, pid);
        if (Interlocked.Exchange(ref s_pending, 0) is var early and not 0)
        {
            Libc.Kill(pid, early);
        }

        var code = WaitForChild(pid);
        GC.KeepAlive(registrations);
        return code;
    }

    /// <summary>Reaps whatever ends until the command itself does; its exit code (128+signal when killed) is ours.</summary>
    private static int WaitForChild(int child)
    {
        while (true)
        {
            int status;
            var rc = Libc.WaitPid(-1, &status, 0);
            if (rc == child)
            {
                var signal = status & 0x7f;
                return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
            }

            if (rc < 0 && Libc.LastErrno != Errno.EINTR)
            {
                Console.Error.WriteLine($"psc-init: waitpid: {Errno.Name(Libc.LastErrno)}");
                return 255;
            }
        }
    }

    private static void Forward(PosixSignalContext context)
    {
        // Without a handler PID 1 would drop the signal; with the default one the runtime would end this process.
        context.Cancel = true;
        var signal = PosixToSignalNumber(context.Signal);
        var child = Volatile.Read(ref s_child);
        if (child > 0)
        {
            Libc.Kill(child, signal);
        }
        else
        {
            Volatile.Write(ref s_pending, signal);
        }
    }

    /// <summary>The forked child: raw calls on memory prepared before the fork, then execve; nothing allocates.</summary>
    private static void ExecChild(byte** argv, byte** envp, byte** candidates, ulong* sigset, void* defaultAction,
        byte* notFound, int notFoundLength, byte* notExecutable, int notExecutableLength)
    {
        // Its own process group, the terminal's foreground one if there is a terminal: Ctrl+C reaches the command
        // and its children, not this init.
        Libc.SyscallRaw(SysSetpgid, 0, 0, 0, 0, 0);
        *sigset = 1UL << (Sigttou - 1);
        Libc.SyscallRaw(SysRtSigprocmask, SigBlock, (long)sigset, 0, 8, 0);
        var group = (int)Libc.SyscallRaw(SysGetpid, 0, 0, 0, 0, 0);
        Libc.SyscallRaw(SysIoctl, 0, (long)Tiocspgrp, (long)&group, 0, 0);

        // The runtime's handlers are gone with execve, but what it ignores (SIGPIPE) would stay ignored.
        for (var signal = 1; signal <= 64; signal++)
        {
            if (signal is not (Consts.SIGKILL or Consts.SIGSTOP))
            {
                Libc.SyscallRaw(SysRtSigaction, signal, (long)defaultAction, 0, 8, 0);
            }
        }

        *sigset = 0;
        Libc.SyscallRaw(SysRtSigprocmask, SigSetmask, (long)sigset, 0, 8, 0);

        var denied = false;
        for (var candidate = candidates; *candidate != null; candidate++)
        {
            Libc.Execve(*candidate, argv, envp);
            var errno = Libc.ErrnoRaw;
            denied |= errno != Errno.ENOENT && errno != Errno.ENOTDIR;
        }

        if (denied)
        {
            Libc.Write(2, notExecutable, notExecutableLength);
            Libc.ExitRaw(126);
        }

        Libc.Write(2, notFound, notFoundLength);
        Libc.ExitRaw(127);
    }

    private static List<string> ReadEnvironment()
    {
        // /proc/self/environ keeps the order and duplicates the caller gave; /proc may be absent, then .NET's view.
        try
        {
            var raw = File.ReadAllBytes("/proc/self/environ");
            return Encoding.UTF8.GetString(raw).Split('\0', StringSplitOptions.RemoveEmptyEntries).ToList();
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        var list = new List<string>();
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            list.Add($"{e.Key}={e.Value}");
        }

        return list;
    }

    /// <summary>The paths execve tries, in order, as execvp would search them.</summary>
    internal static List<string> Candidates(string name, List<string> environment)
    {
        if (name.Contains('/'))
        {
            return [name];
        }

        var path = environment.LastOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?[5..]
            ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        return path.Split(':').Select(dir => (dir.Length == 0 ? "." : dir) + "/" + name).ToList();
    }

    private static byte** NativeStrings(IReadOnlyList<string> strings)
    {
        var array = (byte**)NativeMemory.AllocZeroed((nuint)(strings.Count + 1), (nuint)sizeof(byte*));
        for (var i = 0; i < strings.Count; i++)
        {
            array[i] = NativeString(strings[i], out _);
        }

        return array;
    }

    private static byte* NativeString(string text, out int length)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var p = (byte*)NativeMemory.AllocZeroed((nuint)bytes.Length + 1);
        bytes.CopyTo(new Span<byte>(p, bytes.Length));
        length = bytes.Length;
        return p;
    }

    // PosixSignal names the portable signals with negative values; others are passed as their raw numbers.
    private static int SignalNumberToPosix(int signal) => signal switch
    {
        1 => (int)PosixSignal.SIGHUP,
        2 => (int)PosixSignal.SIGINT,
        3 => (int)PosixSignal.SIGQUIT,
        15 => (int)PosixSignal.SIGTERM,
        28 => (int)PosixSignal.SIGWINCH,
        _ => signal,
    };

    private static int PosixToSignalNumber(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGHUP => 1,
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGQUIT => 3,
        PosixSignal.SIGTERM => 15,
        PosixSignal.SIGWINCH => 28,
        _ => (int)signal,
    };
}
