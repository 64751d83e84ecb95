using System.Globalization;
using System.Text;

namespace PSContainers.Runtime.Monitor;

/// <summary>What one image of a monitor passes to the next when it replaces itself with execve: descriptors and run state.</summary>
/// <remarks>
/// A monitor sets a container up in one image (which allocates: config parsing, plans, cgroups) and waits for it
/// in a fresh one, whose heap never grew; a restart goes back to a set-up image. The descriptors survive the
/// execve (they are inherited without close-on-exec) and the child subreaper flag and the children stay with the
/// process, so only this state has to cross, as one command-line argument.
/// </remarks>
public sealed class MonitorHandoff
{
    /// <summary>"wait": watch a running container; "exited": its init has exited (ExitCode), pscmon waited; "restart": set it up again after the restart delay.</summary>
    public string Phase { get; set; } = "wait";

    /// <summary>The init's exit code, when Phase is "exited".</summary>
    public int ExitCode { get; set; } = -1;

    /// <summary>pscrun's own binary, opened for pscmon to execute it again; -1 when none.</summary>
    public int ExeFd { get; set; } = -1;

    /// <summary>container.log, opened (O_APPEND) for pscmon; -1 when none.</summary>
    public int LogFd { get; set; } = -1;

    public int InitPid { get; set; }

    public int OutRead { get; set; } = -1;

    public int OutWrite { get; set; } = -1;

    public int ErrRead { get; set; } = -1;

    public int ErrWrite { get; set; } = -1;

    /// <summary>The monitor's end of the container's stdin pipe (--stdin without --tty); -1 when none.</summary>
    public int StdinWrite { get; set; } = -1;

    /// <summary>The pty master of a --tty container's current run; -1 when none.</summary>
    public int PtyMaster { get; set; } = -1;

    public int Listen { get; set; } = -1;

    public List<int> Clients { get; set; } = [];

    /// <summary>The client whose leaving closes the container's stdin (the one that started it, as docker run -i); -1 when none.</summary>
    public int StdinOwner { get; set; } = -1;

    /// <summary>A client closed the container's stdin: later runs get /dev/null.</summary>
    public bool StdinClosed { get; set; }

    public int StopSignal { get; set; }

    public int RestartCount { get; set; }

    public string? StartedAt { get; set; }

    /// <summary>When the current run started (UTC ticks), to reset the restart delay after a long run.</summary>
    public long RunStartedTicks { get; set; }

    public int BackoffMs { get; set; } = 100;

    public int LastExitCode { get; set; }

    public bool LastOomKilled { get; set; }

    public string? FinishedAt { get; set; }

    public bool OverlayMounted { get; set; }

    public bool ContainerExists { get; set; }

    /// <summary>Every descriptor the next image needs.</summary>
    public IEnumerable<int> Fds()
    {
        foreach (var fd in new[] { OutRead, OutWrite, ErrRead, ErrWrite, StdinWrite, PtyMaster, Listen, ExeFd, LogFd })
        {
            if (fd >= 0)
            {
                yield return fd;
            }
        }

        foreach (var fd in Clients)
        {
            yield return fd;
        }
    }

    public string ToArgument()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        void Put(string key, string? value) => sb.Append(key).Append('=').Append(value ?? "").Append(';');
        Put("phase", Phase);
        Put("init", InitPid.ToString(c));
        Put("out", OutRead.ToString(c) + "," + OutWrite.ToString(c));
        Put("err", ErrRead.ToString(c) + "," + ErrWrite.ToString(c));
        Put("stdin", StdinWrite.ToString(c));
        Put("pty", PtyMaster.ToString(c));
        Put("listen", Listen.ToString(c));
        Put("clients", string.Join(',', Clients.Select(x => x.ToString(c))));
        Put("stdinowner", StdinOwner.ToString(c));
        Put("stdinclosed", StdinClosed ? "1" : "0");
        Put("stop", StopSignal.ToString(c));
        Put("restarts", RestartCount.ToString(c));
        Put("started", StartedAt);
        Put("runstart", RunStartedTicks.ToString(c));
        Put("backoff", BackoffMs.ToString(c));
        Put("lastexit", LastExitCode.ToString(c));
        Put("lastoom", LastOomKilled ? "1" : "0");
        Put("finished", FinishedAt);
        Put("overlay", OverlayMounted ? "1" : "0");
        Put("exists", ContainerExists ? "1" : "0");
        Put("exit", ExitCode.ToString(c));
        Put("exefd", ExeFd.ToString(c));
        Put("logfd", LogFd.ToString(c));
        return sb.ToString();
    }

    public static MonitorHandoff Parse(string text)
    {
        var h = new MonitorHandoff();
        h.Apply(text);
        return h;
    }

    /// <summary>Sets the entries text names (the same key=value; format), e.g. what pscmon reports after the init's exit.</summary>
    public void Apply(string text)
    {
        var h = this;
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0)
            {
                throw new ArgumentException($"invalid --handoff entry \"{part}\"");
            }

            var value = part[(eq + 1)..];
            switch (part[..eq])
            {
                case "phase": h.Phase = value is "wait" or "restart" or "exited" ? value : throw new ArgumentException($"invalid --handoff phase \"{value}\""); break;
                case "exit": h.ExitCode = Int(value); break;
                case "exefd": h.ExeFd = Int(value); break;
                case "logfd": h.LogFd = Int(value); break;
                case "init": h.InitPid = Int(value); break;
                case "out": (h.OutRead, h.OutWrite) = Pair(value); break;
                case "err": (h.ErrRead, h.ErrWrite) = Pair(value); break;
                case "stdin": h.StdinWrite = Int(value); break;
                case "pty": h.PtyMaster = Int(value); break;
                case "listen": h.Listen = Int(value); break;
                case "clients": h.Clients = value.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Int).ToList(); break;
                case "stdinowner": h.StdinOwner = Int(value); break;
                case "stdinclosed": h.StdinClosed = value == "1"; break;
                case "stop": h.StopSignal = Int(value); break;
                case "restarts": h.RestartCount = Int(value); break;
                case "started": h.StartedAt = value.Length == 0 ? null : value; break;
                case "runstart": h.RunStartedTicks = long.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture); break;
                case "backoff": h.BackoffMs = Int(value); break;
                case "lastexit": h.LastExitCode = Int(value); break;
                case "lastoom": h.LastOomKilled = value == "1"; break;
                case "finished": h.FinishedAt = value.Length == 0 ? null : value; break;
                case "overlay": h.OverlayMounted = value == "1"; break;
                case "exists": h.ContainerExists = value == "1"; break;
                default: throw new ArgumentException($"unknown --handoff entry \"{part[..eq]}\"");
            }
        }
    }

    private static int Int(string s) => int.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    private static (int, int) Pair(string s)
    {
        var comma = s.IndexOf(',');
        return comma < 0 ? throw new ArgumentException($"invalid --handoff pair \"{s}\"") : (Int(s[..comma]), Int(s[(comma + 1)..]));
    }
}
