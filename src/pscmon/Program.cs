using System.Runtime;

namespace Pscmon;

/// <summary>pscmon: pscrun monitor's waiting image. Started only by pscrun itself, with execve.</summary>
/// <remarks>
/// Command line: pscmon monitor --id ID --wait STATE -- PSCRUN-ARGV... (see State). When the container's init
/// has exited, pscmon appends --handoff-update with its state to PSCRUN-ARGV and executes pscrun again through
/// the descriptor STATE names, so the same binary continues even if its file was replaced meanwhile.
/// </remarks>
internal static unsafe class Program
{
    // The C# compiler wants an entry point; the process starts at NativeMain (main), not here.
    private static int Main() => 0;

    [RuntimeExport("main")]
    private static int NativeMain(int argc, byte** argv, byte** envp)
    {
        var separator = -1;
        byte* wait = null;
        byte* health = null;
        var healthArgc = 0;
        byte** healthArgv = null;
        for (var i = 1; i < argc; i++)
        {
            if (Is(argv[i], "--wait") && i + 1 < argc)
            {
                wait = argv[++i];
            }
            else if (Is(argv[i], "--health") && i + 1 < argc)
            {
                health = argv[++i];
            }
            else if (Is(argv[i], "--health-argv") && i + 1 < argc)
            {
                // A count, then that many arguments (they may be anything, "--" included).
                healthArgc = Count(argv[++i]);
                if (healthArgc < 1 || i + healthArgc >= argc)
                {
                    healthArgc = -1;
                    break;
                }

                healthArgv = argv + i + 1;
                i += healthArgc;
            }
            else if (Is(argv[i], "--"))
            {
                separator = i;
                break;
            }
        }

        var state = new State();
        if (wait == null || separator < 0 || separator + 1 >= argc || !state.Parse(wait)
            || healthArgc < 0 || (health != null) != (healthArgv != null) || (health != null && !state.ParseHealth(health)))
        {
            Write(2, "pscmon: started by pscrun monitor only: pscmon monitor --id ID --wait STATE [--health I,SP,SI --health-argv N ARGV...] -- PSCRUN-ARGV\n");
            return 2;
        }

        state.Envp = envp;
        if (healthArgv != null)
        {
            // execveat wants its own NULL-terminated list.
            state.HealthArgv = (byte**)Sys.calloc((nuint)(healthArgc + 1), (nuint)sizeof(byte*));
            for (var i = 0; i < healthArgc; i++)
            {
                state.HealthArgv[i] = healthArgv[i];
            }
        }

        new WaitLoop(state).Run();

        // pscrun takes over: the argv after "--", then --handoff-update and this state.
        var rest = argc - separator - 1;
        var args = (byte**)Sys.calloc((nuint)(rest + 3), (nuint)sizeof(byte*));
        for (var i = 0; i < rest; i++)
        {
            args[i] = argv[separator + 1 + i];
        }

        args[rest] = Bytes("--handoff-update");
        args[rest + 1] = state.Update();
        KeepOpen(state);
        Sys.syscall(Sys.SYS_execveat, state.ExeFd, (long)Bytes(""), (long)args, (long)envp, Sys.AT_EMPTY_PATH);

        // Nothing is left to run the exit: say why, and let the engine see the monitor gone (it then cleans up).
        Write(2, "pscmon: could not execute pscrun again\n");
        return 1;
    }

    /// <summary>Clears close-on-exec on what pscrun needs again.</summary>
    private static void KeepOpen(State s)
    {
        var fds = stackalloc int[9];
        fds[0] = s.OutRead;
        fds[1] = s.OutWrite;
        fds[2] = s.ErrRead;
        fds[3] = s.ErrWrite;
        fds[4] = s.StdinWrite;
        fds[5] = s.Pty;
        fds[6] = s.Listen;
        fds[7] = s.LogFd;
        fds[8] = s.ExeFd;
        for (var i = 0; i < 9; i++)
        {
            if (fds[i] >= 0)
            {
                Sys.fcntl(fds[i], Sys.F_SETFD, 0);
            }
        }

        for (var i = 0; i < s.ClientCount; i++)
        {
            Sys.fcntl(s.Clients[i], Sys.F_SETFD, 0);
        }
    }

    private static int Count(byte* text)
    {
        var value = 0;
        var p = text;
        while (*p >= '0' && *p <= '9' && value < 100_000)
        {
            value = (value * 10) + (*p++ - '0');
        }

        return *p == 0 && p != text ? value : -1;
    }

    private static bool Is(byte* arg, string text)
    {
        fixed (char* t = text)
        {
            for (var i = 0; i < text.Length; i++)
            {
                if (arg[i] != t[i])
                {
                    return false;
                }
            }
        }

        return arg[text.Length] == 0;
    }

    private static byte* Bytes(string ascii)
    {
        var b = (byte*)Sys.calloc((nuint)(ascii.Length + 1), 1);
        fixed (char* s = ascii)
        {
            for (var i = 0; i < ascii.Length; i++)
            {
                b[i] = (byte)s[i];
            }
        }

        return b;
    }

    private static void Write(int fd, string ascii)
    {
        var b = Bytes(ascii);
        Sys.write(fd, b, ascii.Length);
    }
}
