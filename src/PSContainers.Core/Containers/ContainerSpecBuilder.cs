using System.Globalization;
using PSContainers.Runtime.Spec;

namespace PSContainers.Core.Containers;

/// <summary>Builds a container's OCI config.json from Docker's defaults and the docker-run options of a create request.</summary>
public static class ContainerSpecBuilder
{
    public const string CgroupParent = "/pscontainers";
    public const ulong CpuPeriod = 100_000;

    private static readonly HashSet<string> UlimitNames =
    [
        "CPU", "FSIZE", "DATA", "STACK", "CORE", "RSS", "NPROC", "NOFILE", "MEMLOCK", "AS", "LOCKS", "SIGPENDING",
        "MSGQUEUE", "NICE", "RTPRIO", "RTTIME",
    ];

    /// <summary>Where -Init mounts psc-init in the container: /dev is the runtime's own tmpfs, so the image is not touched.</summary>
    public const string InitPath = "/dev/init";

    private static readonly string[] HostNetworkFiles = ["/etc/resolv.conf", "/etc/hosts"];

    public static Spec Build(string id, ContainerCreateRequest request, string mergedRoot, string? initBinary = null, IReadOnlyList<string>? layers = null)
    {
        if (request.Command.Count == 0)
        {
            throw ContainerEngineException.Invalid(request.Image is null
                ? "A container needs a command: give -Command (or the arguments after the root filesystem)."
                : $"The image {request.Image} has no Cmd or Entrypoint: give the command after --.");
        }

        if (request.Init && (initBinary is null || !File.Exists(initBinary)))
        {
            throw ContainerEngineException.Invalid($"-Init needs psc-init next to pscrun ({initBinary ?? "not given"} does not exist); rebuild the module.");
        }

        // none, a network name and container:NAME are the engine's to check (ContainerService.Networks).
        var hostNetwork = request.Network == "host";
        // docker run --network host: the container's hostname is the host's unless one is given.
        var hostname = !string.IsNullOrEmpty(request.Hostname) ? request.Hostname : hostNetwork || request.UtsMode == "host" ? System.Net.Dns.GetHostName() : id[..12];
        var cgroupNamespace = request.CgroupNamespace switch
        {
            null or "" => (bool?)null,
            "host" => false,
            "private" => true,
            var other => throw ContainerEngineException.Invalid($"-CgroupNamespace \"{other}\" is not a mode: use host or private.", other),
        };
        var spec = DefaultSpecs.ForEngine(mergedRoot, request.Command, hostname, cgroupNamespace);
        if (!string.IsNullOrEmpty(request.Domainname))
        {
            // The container has its own UTS namespace (with -Network host too; -Uts host refuses -Domainname), so this never touches the host's.
            spec.Domainname = request.Domainname;
        }

        if (hostNetwork)
        {
            spec.Linux!.Namespaces!.RemoveAll(n => n.Type == LinuxNamespaceType.Network);
            // The host's resolver and hosts files, as docker gives a --network host container; read-only so a
            // container cannot change the host's files.
            foreach (var file in HostNetworkFiles.Where(File.Exists))
            {
                spec.Mounts!.Add(new Mount { Destination = file, Type = "bind", Source = file, Options = ["rbind", "ro", "nosuid", "nodev", "noexec"] });
            }
        }
        var process = spec.Process!;
        spec.Root!.Readonly = request.ReadOnly;
        spec.Linux!.CgroupsPath = $"{CgroupParent}/{id}";

        // The user is looked up in the image (the read-only lower layer), which the merged root shows unchanged.
        var home = "/root";
        if (!string.IsNullOrEmpty(request.User))
        {
            var (uid, gid, userHome) = UserResolver.Resolve(layers ?? [request.RootFs], request.User);
            process.User = new User { Uid = uid, Gid = gid, AdditionalGids = UserResolver.SupplementaryGroups(layers ?? [request.RootFs], request.User, gid) };
            home = userHome ?? "/";
        }

        process.Env = BuildEnvironment(request.Environment, hostname, home);
        if (!string.IsNullOrEmpty(request.WorkingDirectory))
        {
            if (!request.WorkingDirectory.StartsWith('/'))
            {
                throw ContainerEngineException.Invalid($"The working directory \"{request.WorkingDirectory}\" must be an absolute path inside the container.");
            }

            process.Cwd = request.WorkingDirectory;
        }

        process.Terminal = request.Tty;
        if (request.Tty)
        {
            // As docker run -t: programs on the pty need to know what it is.
            if (!process.Env.Any(e => e.StartsWith("TERM=", StringComparison.Ordinal)))
            {
                process.Env.Add("TERM=xterm");
            }

            if (request.ConsoleRows > 0 && request.ConsoleColumns > 0)
            {
                process.ConsoleSize = new Box { Height = request.ConsoleRows, Width = request.ConsoleColumns };
            }
        }

        if (request.Init)
        {
            // docker run --init: a small reaper is PID 1 and the command its only child.
            process.Args = [InitPath, "--", .. process.Args!];
            spec.Mounts!.Add(new Mount
            {
                Destination = InitPath, Type = "bind", Source = initBinary, Options = ["bind", "ro", "nosuid", "nodev"],
            });
        }

        // The builder's RUN --mount targets: their sources were prepared by the engine, never by a user's text.
        spec.Mounts!.AddRange(request.BuildMounts);
        ApplyCapabilities(process, request);
        if (request.Privileged)
        {
            // docker run --privileged: every capability, every device of the host in /dev and allowed by the device
            // cgroup, nothing masked, /sys and the cgroup hierarchies writable.
            spec.Linux.MaskedPaths = [];
            spec.Linux.ReadonlyPaths = [];
            spec.Linux.Resources!.Devices = [new LinuxDeviceCgroup { Allow = true, Access = "rwm" }];
            spec.Linux.Devices = [.. spec.Linux.Devices ?? [], .. HostDevices.List().Where(d => spec.Linux.Devices?.Any(x => x.Path == d.Path) != true)];
            foreach (var mount in spec.Mounts!.Where(m => m.Destination is "/sys" or "/sys/fs/cgroup"))
            {
                mount.Options = mount.Options?.Where(o => o != "ro").Append("rw").ToList();
            }
        }

        // After the capabilities: the profile's includes.caps open what -CapAdd grants.
        Security.SecurityOptions.Apply(spec, request.SecurityOpt, request.Privileged);
        ApplyResources(spec.Linux.Resources!, request.Resources);
        foreach (var ulimit in request.Ulimits)
        {
            var rlimit = ParseUlimit(ulimit);
            process.Rlimits!.RemoveAll(r => r.Type == rlimit.Type);
            process.Rlimits.Add(rlimit);
        }

        ContainerHostOptions.Apply(spec, request, layers ?? [request.RootFs]);
        Volumes.VolumeSpecMounts.Apply(spec, request);
        SharedNamespaceModes.Apply(spec, request);
        ApplyUserNamespace(spec, request);
        if (request.Labels.Count > 0 || request.Annotations.Count > 0)
        {
            spec.Annotations = new Dictionary<string, string>(request.Labels);
            foreach (var (key, value) in request.Annotations)
            {
                if (key.Length == 0)
                {
                    throw ContainerEngineException.Invalid("An annotation needs a name.");
                }

                spec.Annotations[key] = value;
            }
        }

        if (request.OomKillDisable)
        {
            spec.Linux.Resources!.Memory ??= new LinuxMemory();
            spec.Linux.Resources.Memory.DisableOomKiller = true;
        }

        return spec;
    }

    /// <summary>A user namespace with the engine's resolved maps, and what a mapped root can mount in place of what it cannot.</summary>
    public static void ApplyUserNamespace(Spec spec, ContainerCreateRequest request)
    {
        if (request.UidMappings is not { Count: > 0 } uids || request.GidMappings is not { Count: > 0 } gids)
        {
            return;
        }

        var linux = spec.Linux!;
        linux.Namespaces!.RemoveAll(n => n.Type == LinuxNamespaceType.User);
        linux.Namespaces.Add(new LinuxNamespace { Type = LinuxNamespaceType.User });
        linux.UidMappings = uids.Select(m => new LinuxIdMapping { ContainerId = m.ContainerId, HostId = m.HostId, Size = m.Size }).ToList();
        linux.GidMappings = gids.Select(m => new LinuxIdMapping { ContainerId = m.ContainerId, HostId = m.HostId, Size = m.Size }).ToList();
        foreach (var mount in spec.Mounts!.Where(m => m.Type == "sysfs"))
        {
            // sysfs can only be mounted fresh by the owner of the network namespace, and the engine's namespaces
            // (CNI's, the host's) belong to the host: as crun and runc do, the host's /sys is bound instead, read-only
            // unless -Privileged made it writable (a mapped root still cannot write what the host's root owns).
            var readOnly = mount.Options?.Contains("ro") ?? false;
            mount.Type = "bind";
            mount.Source = "/sys";
            mount.Options = ["rbind", "nosuid", "noexec", "nodev", readOnly ? "ro" : "rw"];
        }
    }

    public static List<string> BuildEnvironment(IReadOnlyDictionary<string, string> environment, string hostname, string home)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = DefaultSpecs.DefaultPath["PATH=".Length..],
            ["HOSTNAME"] = hostname,
            ["HOME"] = home,
        };
        foreach (var (name, value) in environment)
        {
            if (string.IsNullOrEmpty(name) || name.Contains('='))
            {
                throw ContainerEngineException.Invalid($"Invalid environment variable name \"{name}\".");
            }

            env[name] = value;
        }

        return env.Select(kv => $"{kv.Key}={kv.Value}").ToList();
    }

    public static void ApplyCapabilities(Process process, ContainerCreateRequest request)
    {
        IEnumerable<string> caps = request.Privileged ? CapabilityNames.Grantable() : DefaultSpecs.EngineCapabilities;
        var set = new List<string>(caps);
        foreach (var add in request.CapAdd)
        {
            if (add.Equals("ALL", StringComparison.OrdinalIgnoreCase))
            {
                set = [.. CapabilityNames.Grantable()];
                continue;
            }

            var name = Normalize(add);
            if (!set.Contains(name))
            {
                set.Add(name);
            }
        }

        foreach (var drop in request.CapDrop)
        {
            if (drop.Equals("ALL", StringComparison.OrdinalIgnoreCase))
            {
                // docker: --cap-drop ALL --cap-add X leaves exactly X.
                set = request.CapAdd.Where(a => !a.Equals("ALL", StringComparison.OrdinalIgnoreCase)).Select(Normalize).Distinct().ToList();
                continue;
            }

            set.Remove(Normalize(drop));
        }

        process.Capabilities = new LinuxCapabilities { Bounding = [.. set], Effective = [.. set], Permitted = [.. set] };
    }

    public static void ApplyResources(LinuxResources resources, ContainerResources wanted)
    {
        ContainerResourceRules.Validate(wanted, Environment.ProcessorCount, ContainerResourceRules.ReadOnlineCpus());
        if (wanted.Memory is not null || wanted.MemorySwap is not null || wanted.MemoryReservation is not null)
        {
            resources.Memory = new LinuxMemory
            {
                Limit = Positive(wanted.Memory, "-Memory"),
                Swap = wanted.MemorySwap,
                Reservation = Positive(wanted.MemoryReservation, "-MemoryReservation"),
            };
        }

        if (wanted.Cpus is not null || wanted.CpuShares is not null || wanted.CpusetCpus is not null || wanted.CpusetMems is not null)
        {
            var cpu = new LinuxCpu { Shares = wanted.CpuShares, Cpus = wanted.CpusetCpus, Mems = wanted.CpusetMems };
            if (wanted.Cpus is { } cpus)
            {
                cpu.Period = CpuPeriod;
                cpu.Quota = (long)Math.Round(cpus * CpuPeriod);
            }

            resources.Cpu = cpu;
        }

        if (wanted.PidsLimit is { } pids)
        {
            resources.Pids = new LinuxPids { Limit = pids };
        }

        if (wanted.BlkioWeight is { } weight)
        {
            resources.BlockIo = new LinuxBlockIo { Weight = weight };
        }
    }

    /// <summary>name=soft[:hard] with docker's names (nofile, nproc, core, ...).</summary>
    public static LinuxRlimit ParseUlimit(string text)
    {
        var eq = text.IndexOf('=');
        if (eq <= 0)
        {
            throw ContainerEngineException.Invalid($"Invalid ulimit \"{text}\": use name=soft[:hard], e.g. nofile=1024:2048.");
        }

        var name = text[..eq].Trim().ToUpperInvariant();
        if (!UlimitNames.Contains(name))
        {
            throw ContainerEngineException.Invalid($"Unknown ulimit \"{text[..eq]}\": use one of {string.Join(", ", UlimitNames.Select(n => n.ToLowerInvariant()))}.");
        }

        var values = text[(eq + 1)..].Split(':');
        if (!ulong.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var soft)
            || values.Length > 2)
        {
            throw ContainerEngineException.Invalid($"Invalid ulimit \"{text}\": use name=soft[:hard] with numbers.");
        }

        var hard = soft;
        if (values.Length == 2 && !ulong.TryParse(values[1], NumberStyles.None, CultureInfo.InvariantCulture, out hard))
        {
            throw ContainerEngineException.Invalid($"Invalid ulimit \"{text}\": the hard limit is not a number.");
        }

        if (soft > hard)
        {
            throw ContainerEngineException.Invalid($"Invalid ulimit \"{text}\": the soft limit is above the hard limit.");
        }

        return new LinuxRlimit { Type = "RLIMIT_" + name, Soft = soft, Hard = hard };
    }

    private static string Normalize(string capability)
    {
        try
        {
            return CapabilityNames.Normalize(capability);
        }
        catch (SpecException e)
        {
            throw ContainerEngineException.Invalid(e.Message, capability);
        }
    }

    private static long? Positive(long? value, string parameter) =>
        value is <= 0 ? throw ContainerEngineException.Invalid($"{parameter} must be a positive number of bytes.") : value;
}
