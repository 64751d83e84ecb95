using System.Globalization;
using System.Text.Json;
using PSContainers.Runtime.Container;
using PSContainers.Runtime.Spec;

namespace PSContainers.Pscrun.Commands;

/// <summary>`exec`: a process from --process FILE, or the container's own process with inline args and overrides.</summary>
internal static class ExecCommand
{
    public static int Exec(LinuxContainerRuntime runtime, ArgReader reader)
    {
        string? processFile = null, consoleSocket = null, pidFile = null, cwd = null, user = null;
        bool detach = false, tty = false, noNewPrivs = false;
        int preserve = 0;
        var env = new List<string>();
        var caps = new List<string>();
        var groups = new List<uint>();
        reader.ReadFlags((name, value) =>
        {
            switch (name)
            {
                case "--process" or "-p": processFile = value(); return true;
                case "--console-socket": consoleSocket = value(); return true;
                case "--pid-file": pidFile = value(); return true;
                case "--detach" or "-d": detach = true; return true;
                case "--tty" or "-t": tty = true; return true;
                case "--cwd": cwd = value(); return true;
                case "--env" or "-e": env.Add(value()); return true;
                case "--user" or "-u": user = value(); return true;
                case "--additional-gids" or "-g": groups.Add(uint.Parse(value(), CultureInfo.InvariantCulture)); return true;
                case "--cap" or "-c": caps.Add(value()); return true;
                case "--no-new-privs": noNewPrivs = true; return true;
                case "--preserve-fds": preserve = int.Parse(value(), CultureInfo.InvariantCulture); return true;
                case "--process-label" or "--apparmor" or "--cgroup": value(); return true;
                default: return false;
            }
        });
        var rest = reader.Rest();
        if (rest.Count < 1)
        {
            throw new UsageException("usage: pscrun exec [OPTIONS] ID [COMMAND [ARG...]]");
        }

        var id = rest[0];
        Runtime.Spec.Process process;
        if (processFile is not null)
        {
            var text = processFile == "-" ? Console.In.ReadToEnd() : File.ReadAllText(processFile);
            process = JsonSerializer.Deserialize(text, SpecJsonContext.Default.Process)
                ?? throw new UsageException($"{processFile}: empty process document");
        }
        else
        {
            if (rest.Count < 2)
            {
                throw new UsageException("exec needs a command when --process is not given");
            }

            var template = runtime.Store.Load(id).Spec.Process ?? new Runtime.Spec.Process();
            process = new Runtime.Spec.Process
            {
                Args = rest.Skip(1).ToList(),
                Env = new List<string>(template.Env ?? new List<string>()),
                Cwd = template.Cwd,
                User = template.User,
                Capabilities = template.Capabilities,
                Rlimits = template.Rlimits,
                NoNewPrivileges = template.NoNewPrivileges,
                OomScoreAdj = template.OomScoreAdj,
                Terminal = tty,
            };
            process.Env!.AddRange(env);
            if (cwd is not null)
            {
                process.Cwd = cwd;
            }

            if (user is not null)
            {
                var parts = user.Split(':');
                process.User = new User
                {
                    Uid = uint.Parse(parts[0], CultureInfo.InvariantCulture),
                    Gid = parts.Length > 1 ? uint.Parse(parts[1], CultureInfo.InvariantCulture) : 0,
                };
            }

            if (groups.Count > 0)
            {
                process.User ??= new User();
                process.User.AdditionalGids = groups;
            }

            if (caps.Count > 0)
            {
                var c = process.Capabilities ?? new LinuxCapabilities();
                process.Capabilities = new LinuxCapabilities
                {
                    Bounding = Union(c.Bounding, caps), Effective = Union(c.Effective, caps),
                    Permitted = Union(c.Permitted, caps), Inheritable = c.Inheritable, Ambient = c.Ambient,
                };
            }

            if (noNewPrivs)
            {
                process.NoNewPrivileges = true;
            }
        }

        return runtime.Exec(id, process, new ExecOptions
        {
            ConsoleSocket = consoleSocket, PidFile = pidFile, Detach = detach, PreserveFds = preserve,
        });
    }

    private static List<string> Union(List<string>? a, List<string> b) =>
        (a ?? new List<string>()).Concat(b.Select(CapabilityNames.Normalize)).Distinct(StringComparer.Ordinal).ToList();
}
