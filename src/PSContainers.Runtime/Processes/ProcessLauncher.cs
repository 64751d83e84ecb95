using PSContainers.Runtime.Capabilities;

namespace PSContainers.Runtime.Processes;

/// <summary>The last steps before a container process runs: limits, identity, capabilities, then execve.</summary>
/// <remarks>
/// Capabilities and uids are per thread in the kernel; everything here runs on the thread that calls
/// execve, and execve discards the other threads, so what that thread holds is what the process gets.
/// </remarks>
internal static unsafe class ProcessLauncher
{
    private static readonly Dictionary<string, int> RlimitNumbers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["RLIMIT_CPU"] = 0, ["RLIMIT_FSIZE"] = 1, ["RLIMIT_DATA"] = 2, ["RLIMIT_STACK"] = 3, ["RLIMIT_CORE"] = 4,
        ["RLIMIT_RSS"] = 5, ["RLIMIT_NPROC"] = 6, ["RLIMIT_NOFILE"] = 7, ["RLIMIT_MEMLOCK"] = 8, ["RLIMIT_AS"] = 9,
        ["RLIMIT_LOCKS"] = 10, ["RLIMIT_SIGPENDING"] = 11, ["RLIMIT_MSGQUEUE"] = 12, ["RLIMIT_NICE"] = 13,
        ["RLIMIT_RTPRIO"] = 14, ["RLIMIT_RTTIME"] = 15,
    };

    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static int RlimitNumber(string type) =>
        RlimitNumbers.TryGetValue(type, out var n) ? n : throw new InvalidOperationException($"unknown rlimit type '{type}'");

    /// <summary>Finds args[0] on the PATH of the process's environment, inside the (already entered) root.</summary>
    public static string ResolveExecutable(Spec.Process p)
    {
        var name = p.Args![0];
        if (name.Contains('/'))
        {
            var full = name.StartsWith('/') ? name : Path.Combine(p.Cwd ?? "/", name);
            if (!File.Exists(full))
            {
                throw new InvalidOperationException($"exec: \"{name}\": stat {full}: no such file or directory");
            }

            return full;
        }

        var pathVar = p.Env?.LastOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?[5..] ?? DefaultPath;
        foreach (var dir in pathVar.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate) && ((int)File.GetUnixFileMode(candidate) & 0x49) != 0)
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"exec: \"{name}\": executable file not found in $PATH");
    }

    public static void ApplyRlimits(Spec.Process p)
    {
        foreach (var r in p.Rlimits ?? new List<Spec.LinuxRlimit>())
        {
            var limit = new RLimit { Current = r.Soft, Max = r.Hard };
            Libc.Check(Libc.SetRlimit(RlimitNumber(r.Type), &limit), "setrlimit", r.Type);
        }
    }

    public static void ApplyOomScoreAdj(Spec.Process p)
    {
        if (p.OomScoreAdj is { } adj)
        {
            File.WriteAllText("/proc/self/oom_score_adj", adj.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    public static void EnterCwd(Spec.Process p)
    {
        var cwd = string.IsNullOrEmpty(p.Cwd) ? "/" : p.Cwd;
        if (!cwd.StartsWith('/'))
        {
            throw new InvalidOperationException($"process cwd '{cwd}' is not absolute");
        }

        if (Libc.Chdir(cwd) < 0)
        {
            if (Libc.LastErrno != Errno.ENOENT)
            {
                throw new SyscallException("chdir", cwd, Libc.LastErrno);
            }

            Directory.CreateDirectory(cwd);
            Libc.Check(Libc.Chdir(cwd), "chdir", cwd);
        }
    }

    /// <summary>Switches to the configured user and capability sets, in the order the kernel needs.</summary>
    public static void ApplyIdentity(Spec.Process p)
    {
        var caps = p.Capabilities;
        if (caps is not null)
        {
            var bounding = CapabilitySet.From(caps.Bounding);
            var last = CapabilitySet.LastCap();
            for (var c = 0; c <= last; c++)
            {
                if (!bounding.Has(c) && Libc.Prctl(Consts.PR_CAPBSET_DROP, (ulong)c, 0, 0, 0) < 0 && Libc.LastErrno != Errno.EINVAL)
                {
                    throw new SyscallException("prctl(PR_CAPBSET_DROP)", CapabilitySet.NameOf(c), Libc.LastErrno);
                }
            }
        }

        var user = p.User;
        Libc.Check(Libc.Prctl(Consts.PR_SET_KEEPCAPS, 1, 0, 0, 0), "prctl(PR_SET_KEEPCAPS)");
        var groups = user?.AdditionalGids?.ToArray() ?? Array.Empty<uint>();
        var rc = Libc.SetGroups(groups);
        // In a user namespace whose setgroups file says "deny", an empty list is all one can have.
        if (rc < 0 && !(Libc.LastErrno == Errno.EPERM && groups.Length == 0))
        {
            throw new SyscallException("setgroups", string.Join(',', groups), Libc.LastErrno);
        }

        var gid = user?.Gid ?? 0;
        var uid = user?.Uid ?? 0;
        Libc.Check(Libc.SetResGid(gid, gid, gid), "setresgid", gid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Libc.Check(Libc.SetResUid(uid, uid, uid), "setresuid", uid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Libc.Check(Libc.Prctl(Consts.PR_SET_KEEPCAPS, 0, 0, 0, 0), "prctl(PR_SET_KEEPCAPS)");

        if (caps is not null)
        {
            var effective = CapabilitySet.From(caps.Effective);
            var permitted = CapabilitySet.From(caps.Permitted);
            var inheritable = CapabilitySet.From(caps.Inheritable);
            var header = new CapUserHeader { Version = CapUserHeader.Version3, Pid = 0 };
            var data = stackalloc CapUserData[2];
            data[0] = new CapUserData { Effective = (uint)effective.Bits, Permitted = (uint)permitted.Bits, Inheritable = (uint)inheritable.Bits };
            data[1] = new CapUserData { Effective = (uint)(effective.Bits >> 32), Permitted = (uint)(permitted.Bits >> 32), Inheritable = (uint)(inheritable.Bits >> 32) };
            Libc.Check(Libc.CapSet(&header, data), "capset");
            // The kernel raises an ambient capability only if it is also permitted and inheritable; configs
            // (crun's own template among them) often list ambient ones with an empty inheritable set, and
            // runtimes skip those rather than fail the container.
            foreach (var c in CapabilitySet.From(caps.Ambient).Numbers())
            {
                if (inheritable.Has(c) && permitted.Has(c))
                {
                    Libc.Check(Libc.Prctl(Consts.PR_CAP_AMBIENT, Consts.PR_CAP_AMBIENT_RAISE, (ulong)c, 0, 0), "prctl(PR_CAP_AMBIENT_RAISE)", CapabilitySet.NameOf(c));
                }
            }
        }

        if (p.NoNewPrivileges == true)
        {
            Libc.Check(Libc.Prctl(Consts.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)");
        }
    }

    /// <summary>Replaces this process with the container's program; returns only by throwing.</summary>
    public static void Exec(string executable, Spec.Process p, int preserveFds)
    {
        // Only stdio and the descriptors the caller asked to preserve may cross into the container.
        Libc.CloseRange((uint)(3 + preserveFds), uint.MaxValue, Consts.CLOSE_RANGE_CLOEXEC);
        for (var fd = 3; fd < 3 + preserveFds; fd++)
        {
            Libc.Fcntl(fd, Consts.F_SETFD, 0);
        }

        var env = p.Env ?? new List<string>();
        if (!env.Any(e => e.StartsWith("PATH=", StringComparison.Ordinal)))
        {
            env = new List<string>(env) { "PATH=" + DefaultPath };
        }

        using var argv = new NativeStringArray(p.Args!);
        using var envp = new NativeStringArray(env);
        var path = Libc.Utf8(executable);
        fixed (byte* pp = path)
        {
            Libc.Execve(pp, argv.Pointer, envp.Pointer);
        }

        throw new SyscallException("execve", executable, Libc.LastErrno);
    }
}
