using System.Globalization;
using PSContainers.Native;
using PSContainers.Runtime.Spec;

namespace PSContainers.Core.Containers;

/// <summary>docker run's host options: --device, --device-cgroup-rule, --sysctl, --group-add and --oom-score-adj, checked and put in the OCI spec.</summary>
public static class ContainerHostOptions
{
    // The sysctls a container's own IPC namespace holds (as runc's validator and docker allow).
    private static readonly HashSet<string> IpcSysctls = new(StringComparer.Ordinal)
    {
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
    };

    private static readonly HashSet<string> UtsSysctls = new(StringComparer.Ordinal) { "kernel.domainname", "kernel.hostname" };

    /// <summary>Checks every host option before anything is created; layers (top first) hold the container's /etc/group.</summary>
    public static void Validate(ContainerCreateRequest request, IReadOnlyList<string> layers)
    {
        foreach (var device in request.Devices)
        {
            ParseDevice(device);
        }

        foreach (var rule in request.DeviceCgroupRules)
        {
            ParseCgroupRule(rule);
        }

        foreach (var key in request.Sysctls.Keys)
        {
            CheckSysctl(key, request.Network, request.IpcMode, request.UtsMode);
        }

        ResolveGroups(layers, request.GroupAdd);
        CheckOomScoreAdj(request.OomScoreAdj);
    }

    /// <summary>Puts the options in the spec: device nodes and their cgroup rules, sysctls, extra groups, the OOM score adjustment.</summary>
    public static void Apply(Spec spec, ContainerCreateRequest request, IReadOnlyList<string> layers)
    {
        Validate(request, layers);
        var linux = spec.Linux!;
        var rules = linux.Resources!.Devices ??= [];
        foreach (var text in request.Devices)
        {
            var (device, rule) = ParseDevice(text);
            linux.Devices = [.. (linux.Devices ?? []).Where(d => d.Path != device.Path), device];
            // -Privileged already allows every device: a narrower rule after its allow-all would take access away.
            if (!request.Privileged)
            {
                rules.Add(rule);
            }
        }

        if (!request.Privileged)
        {
            rules.AddRange(request.DeviceCgroupRules.Select(ParseCgroupRule));
        }

        if (request.Sysctls.Count > 0)
        {
            linux.Sysctl = new Dictionary<string, string>(request.Sysctls, StringComparer.Ordinal);
        }

        var process = spec.Process!;
        if (request.GroupAdd.Count > 0)
        {
            var user = process.User ??= new User();
            var groups = user.AdditionalGids ?? [user.Gid];
            foreach (var gid in ResolveGroups(layers, request.GroupAdd).Where(g => !groups.Contains(g)))
            {
                groups.Add(gid);
            }

            user.AdditionalGids = groups;
        }

        process.OomScoreAdj = request.OomScoreAdj;
    }

    /// <summary>HOST[:CONTAINER[:PERMS]] (docker run --device): the node as the host has it, and the cgroup rule that opens it.</summary>
    public static (LinuxDevice Device, LinuxDeviceCgroup Rule) ParseDevice(string text)
    {
        var parts = text.Split(':');
        if (parts.Length > 3 || parts[0].Length == 0)
        {
            throw ContainerEngineException.Invalid($"Invalid device \"{text}\": use HOST[:CONTAINER[:PERMS]], e.g. /dev/fuse or /dev/sdb:/dev/xvdb:r.", text);
        }

        var host = parts[0];
        var container = host;
        var perms = "rwm";
        if (parts.Length == 2 && IsPermissions(parts[1]))
        {
            // docker: /dev/fuse:rw keeps the path and sets the permissions.
            perms = parts[1];
        }
        else if (parts.Length >= 2)
        {
            container = parts[1];
            if (parts.Length == 3)
            {
                perms = parts[2];
            }
        }

        if (!IsPermissions(perms))
        {
            throw ContainerEngineException.Invalid($"Invalid device \"{text}\": the permissions \"{perms}\" must be a combination of r, w and m.", text);
        }

        if (!host.StartsWith('/'))
        {
            throw ContainerEngineException.Invalid($"Invalid device \"{text}\": the host path \"{host}\" must be absolute.", text);
        }

        if (!LibcAt.Lstat(host, out var st) || !LibcAt.Lstat(ResolveHostNode(host, text), out st))
        {
            throw ContainerEngineException.Invalid($"Device \"{host}\" does not exist on this host.", text);
        }

        if (st.Type is not (Consts.S_IFCHR or Consts.S_IFBLK))
        {
            throw ContainerEngineException.Invalid($"Device \"{host}\" is not a character or block device node.", text);
        }

        if (!container.StartsWith('/') || container.Split('/').Contains(".."))
        {
            throw ContainerEngineException.Invalid($"Invalid device \"{text}\": the container path \"{container}\" must be an absolute path without '..'.", text);
        }

        // The node goes in the container's /dev (a tmpfs of the runtime's); docker also accepts other places, which
        // would write device nodes into the image's layer.
        if (!container.StartsWith("/dev/", StringComparison.Ordinal))
        {
            throw ContainerEngineException.Invalid($"Invalid device \"{text}\": the container path \"{container}\" must be under /dev.", text);
        }

        var type = st.Type == Consts.S_IFCHR ? "c" : "b";
        var major = (long)(((st.Rdev >> 8) & 0xfff) | ((st.Rdev >> 32) & ~0xfffUL));
        var minor = (long)((st.Rdev & 0xff) | ((st.Rdev >> 12) & ~0xffUL));
        var device = new LinuxDevice { Path = container, Type = type, Major = major, Minor = minor, FileMode = st.Mode & 0xFFF, Uid = st.Uid, Gid = st.Gid };
        var rule = new LinuxDeviceCgroup { Allow = true, Type = type, Major = major, Minor = minor, Access = Normalize(perms) };
        return (device, rule);
    }

    /// <summary>'TYPE MAJOR:MINOR ACCESS' as docker's --device-cgroup-rule: TYPE a, b or c; MAJOR and MINOR numbers or *; ACCESS of r, w, m.</summary>
    public static LinuxDeviceCgroup ParseCgroupRule(string text)
    {
        var fields = text.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string Error(string why) => $"Invalid device cgroup rule \"{text}\": {why}; use 'TYPE MAJOR:MINOR ACCESS', e.g. 'c 1:3 rwm' or 'b 8:* r'.";
        if (fields.Length == 1 && fields[0] == "a")
        {
            // The kernel's own shorthand, as docker passes it through: every device, every access.
            return new LinuxDeviceCgroup { Allow = true, Type = "a", Access = "rwm" };
        }

        if (fields.Length != 3)
        {
            throw ContainerEngineException.Invalid(Error("it needs three fields"), text);
        }

        if (fields[0] is not ("a" or "b" or "c"))
        {
            throw ContainerEngineException.Invalid(Error($"the type \"{fields[0]}\" is not a, b or c"), text);
        }

        var numbers = fields[1].Split(':');
        if (numbers.Length != 2)
        {
            throw ContainerEngineException.Invalid(Error($"\"{fields[1]}\" is not MAJOR:MINOR"), text);
        }

        long? Number(string value) => value == "*"
            ? null
            : long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw ContainerEngineException.Invalid(Error($"\"{value}\" is neither a number nor *"), text);

        var major = Number(numbers[0]);
        var minor = Number(numbers[1]);
        if (!IsPermissions(fields[2]))
        {
            throw ContainerEngineException.Invalid(Error($"the access \"{fields[2]}\" is not a combination of r, w and m"), text);
        }

        return new LinuxDeviceCgroup { Allow = true, Type = fields[0], Major = major, Minor = minor, Access = Normalize(fields[2]) };
    }

    /// <summary>Refuses a sysctl that is not in a namespace of the container's own (it would change the host), naming the key.</summary>
    public static void CheckSysctl(string key, string network, string? ipcMode = null, string? utsMode = null)
    {
        if (key.Length == 0 || key.Contains('/') || key.Contains("..", StringComparison.Ordinal) || key.StartsWith('.') || key.EndsWith('.'))
        {
            throw ContainerEngineException.Invalid($"Invalid sysctl name \"{key}\": use dotted names such as net.ipv4.ip_forward.", key);
        }

        if (key.StartsWith("net.", StringComparison.Ordinal))
        {
            if (network == "host")
            {
                throw ContainerEngineException.Invalid($"The sysctl \"{key}\" cannot be set with -Network host: the container shares the host's network namespace.", key);
            }

            return;
        }

        if (IpcSysctls.Contains(key) || key.StartsWith("fs.mqueue.", StringComparison.Ordinal))
        {
            if (ipcMode == "host")
            {
                throw ContainerEngineException.Invalid($"The sysctl \"{key}\" cannot be set with -Ipc host: the container shares the host's IPC namespace.", key);
            }

            return;
        }

        if (UtsSysctls.Contains(key))
        {
            if (utsMode == "host")
            {
                throw ContainerEngineException.Invalid($"The sysctl \"{key}\" cannot be set with -Uts host: the container shares the host's UTS namespace.", key);
            }

            return;
        }

        throw ContainerEngineException.Invalid(
            $"The sysctl \"{key}\" is not namespaced: setting it would change the host. Allowed are kernel.msgmax, kernel.msgmnb, kernel.msgmni, kernel.sem, kernel.shmall, kernel.shmmax, kernel.shmmni, kernel.shm_rmid_forced, fs.mqueue.*, net.* and kernel.domainname/kernel.hostname.",
            key);
    }

    /// <summary>Group names from the container's /etc/group, or numbers, as gids (docker run --group-add).</summary>
    public static List<uint> ResolveGroups(IReadOnlyList<string> layers, IEnumerable<string> groups)
    {
        var gids = new List<uint>();
        foreach (var group in groups)
        {
            var gid = uint.TryParse(group, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                ? n
                : UserResolver.GroupId(layers, group)
                    ?? throw ContainerEngineException.Invalid($"Group \"{group}\" of -GroupAdd is not in the container's /etc/group; give a gid or a group that exists in the image.", group);
            if (!gids.Contains(gid))
            {
                gids.Add(gid);
            }
        }

        return gids;
    }

    public static void CheckOomScoreAdj(int? value)
    {
        if (value is < -1000 or > 1000)
        {
            throw ContainerEngineException.Invalid($"-OomScoreAdj {value} is out of range: it must be between -1000 and 1000.");
        }
    }

    private static bool IsPermissions(string text) =>
        text.Length is > 0 and <= 3 && text.All(c => c is 'r' or 'w' or 'm') && text.Distinct().Count() == text.Length;

    // The kernel reads access letters in any order; one order makes inspect output and tests stable.
    private static string Normalize(string perms) => string.Concat("rwm".Where(perms.Contains));

    // docker follows a symlink such as /dev/disk/by-id/X to the node it names.
    private static string ResolveHostNode(string host, string text)
    {
        try
        {
            return File.ResolveLinkTarget(host, returnFinalTarget: true)?.FullName ?? host;
        }
        catch (IOException e)
        {
            throw ContainerEngineException.Invalid($"Device \"{host}\" cannot be resolved: {e.Message}", text);
        }
    }
}
