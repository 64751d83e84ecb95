namespace PSContainers.Core.Containers;

/// <summary>What a new container should be: the docker-run parameters of New-Container and Invoke-Container.</summary>
public sealed class ContainerCreateRequest
{
    public string? Name { get; set; }

    /// <summary>An unpacked root filesystem directory; never modified (an overlay upper layer takes the writes). Empty when Image is set.</summary>
    public string RootFs { get; set; } = "";

    /// <summary>The image reference as the user gave it (busybox, sha256:..., an id prefix); null for -RootFs containers.</summary>
    public string? Image { get; set; }

    /// <summary>os/arch[/variant] the image must have; null for this machine's.</summary>
    public string? Platform { get; set; }

    /// <summary>Overrides the image's Entrypoint (docker run --entrypoint; an empty list clears it, and the image's Cmd with it).</summary>
    public List<string>? Entrypoint { get; set; }

    /// <summary>Set by the engine: the image's config digest (its id).</summary>
    public string? ImageId { get; set; }

    /// <summary>Set by the engine: the image's manifest digest.</summary>
    public string? ImageManifest { get; set; }

    /// <summary>Set by the engine: the chainIDs of the image's layers, bottom first; the container holds these snapshots.</summary>
    public List<string>? ImageLayers { get; set; }

    /// <summary>Set by the engine from the image: ports it declares (80/tcp), recorded for networks to come.</summary>
    public List<string>? ExposedPorts { get; set; }

    public List<string> Command { get; set; } = [];

    public Dictionary<string, string> Environment { get; set; } = [];

    public string? WorkingDirectory { get; set; }

    /// <summary>uid[:gid] as numbers, or a user (and group) name from the root filesystem's /etc/passwd and /etc/group.</summary>
    public string? User { get; set; }

    public string? Hostname { get; set; }

    public bool ReadOnly { get; set; }

    /// <summary>OCI mounts added to the spec as given, after the defaults: the builder's RUN --mount (cache, bind, tmpfs, secret).</summary>
    public List<PSContainers.Runtime.Spec.Mount> BuildMounts { get; set; } = [];

    public List<string> CapAdd { get; set; } = [];

    public List<string> CapDrop { get; set; } = [];

    public bool Privileged { get; set; }

    /// <summary>docker's --security-opt values: seccomp=unconfined|PATH, no-new-privileges[=true|false], apparmor=unconfined, label=disable.</summary>
    public List<string> SecurityOpt { get; set; } = [];

    public bool Init { get; set; }

    /// <summary>-UserNS: host (the default: no user namespace), auto, auto:size=N or private (as auto); docker's and podman's --userns.</summary>
    public string? UserNS { get; set; }

    /// <summary>-UidMap values: CONTAINER:HOST:SIZE (podman's --uidmap); a user namespace with exactly these ranges.</summary>
    public List<string> UidMap { get; set; } = [];

    /// <summary>-GidMap values: CONTAINER:HOST:SIZE (podman's --gidmap); the -UidMap ranges when only those are given.</summary>
    public List<string> GidMap { get; set; } = [];

    /// <summary>Set by the engine: the user namespace's uid maps (container id, host id, size); null without one.</summary>
    public List<PSContainers.Runtime.Spec.LinuxIdMapping>? UidMappings { get; set; }

    /// <summary>Set by the engine: the user namespace's gid maps; null without one.</summary>
    public List<PSContainers.Runtime.Spec.LinuxIdMapping>? GidMappings { get; set; }

    /// <summary>Set by the engine: how a mapped container's layers get their owners: "idmap" (idmapped mounts) or "copy" (a chowned copy).</summary>
    public string? UserNamespaceMethod { get; set; }

    /// <summary>Set by the engine: the volume directories a mapped container sees through idmapped clones (in this order).</summary>
    public List<string>? IdMappedSources { get; set; }

    public Dictionary<string, string> Labels { get; set; } = [];

    /// <summary>OCI annotations for the runtime (docker run --annotation), on top of the labels.</summary>
    public Dictionary<string, string> Annotations { get; set; } = [];

    /// <summary>The NIS domain name in the container's UTS namespace (docker run --domainname).</summary>
    public string? Domainname { get; set; }

    /// <summary>The OOM killer spares the container's processes (docker run --oom-kill-disable).</summary>
    public bool OomKillDisable { get; set; }

    /// <summary>host or private (docker run --cgroupns); null: docker's default, the host's on cgroup v1, a private one on v2.</summary>
    public string? CgroupNamespace { get; set; }

    public string? StopSignal { get; set; }

    public int? StopTimeoutSeconds { get; set; }

    /// <summary>no, on-failure[:N], always or unless-stopped.</summary>
    public string? Restart { get; set; }

    /// <summary>Delete the container when it exits (docker run --rm).</summary>
    public bool AutoRemove { get; set; }

    /// <summary>Give the container a pty (docker run -t): its output is one stream, its input a terminal.</summary>
    public bool Tty { get; set; }

    /// <summary>Keep the container's stdin open for attached clients (docker run -i); otherwise it reads /dev/null.</summary>
    public bool OpenStdin { get; set; }

    /// <summary>The pty's size when it is made (rows, columns); a terminal client sends its own size when it attaches.</summary>
    public ushort ConsoleRows { get; set; }

    public ushort ConsoleColumns { get; set; }

    /// <summary>A network name (empty: the default network), none (a namespace with only lo), host, or container:NAME.</summary>
    public string Network { get; set; } = "";

    /// <summary>Aliases, addresses, DNS, hosts entries and published ports (docker run's network options).</summary>
    public Network.NetworkOptions? Networking { get; set; }

    public ContainerResources Resources { get; set; } = new();

    /// <summary>Ulimits as name=soft[:hard], e.g. nofile=1024:2048.</summary>
    public List<string> Ulimits { get; set; } = [];

    /// <summary>-Device values: HOST[:CONTAINER[:PERMS]] (docker run --device); PERMS of r, w, m (rwm when left out).</summary>
    public List<string> Devices { get; set; } = [];

    /// <summary>-DeviceCgroupRule values: 'TYPE MAJOR:MINOR ACCESS' added to the device cgroup's allow list.</summary>
    public List<string> DeviceCgroupRules { get; set; } = [];

    /// <summary>-Sysctl values: namespaced kernel parameters (net.*, IPC's kernel.msg*/shm*/sem, fs.mqueue.*, kernel.hostname/domainname).</summary>
    public Dictionary<string, string> Sysctls { get; set; } = [];

    /// <summary>-GroupAdd values: group names from the container's /etc/group, or gids; extra groups of the process and of execs.</summary>
    public List<string> GroupAdd { get; set; } = [];

    /// <summary>The process's /proc/self/oom_score_adj, -1000..1000 (docker run --oom-score-adj); null leaves the inherited one.</summary>
    public int? OomScoreAdj { get; set; }

    /// <summary>-Pid: null (its own PID namespace), host, or container:NAME (stored as container:ID at create).</summary>
    public string? PidMode { get; set; }

    /// <summary>-Ipc: null or private (its own), shareable (its own, which others may join), host, or container:NAME of a shareable one.</summary>
    public string? IpcMode { get; set; }

    /// <summary>-Uts: null (its own hostname) or host.</summary>
    public string? UtsMode { get; set; }

    // Volumes and mounts (docker run -v, --mount, --tmpfs, --volumes-from, --shm-size); the engine parses them at create.

    /// <summary>-Volume values: [SOURCE:]DESTINATION[:MODE].</summary>
    public List<string> Volumes { get; set; } = [];

    /// <summary>-Mount values: type=bind|volume|tmpfs,source=…,target=…,… (docker's CSV syntax).</summary>
    public List<string> Mounts { get; set; } = [];

    /// <summary>-Tmpfs values: DESTINATION[:OPTIONS].</summary>
    public List<string> Tmpfs { get; set; } = [];

    /// <summary>-VolumesFrom values: CONTAINER[:ro|rw].</summary>
    public List<string> VolumesFrom { get; set; } = [];

    /// <summary>Size of /dev/shm in bytes (docker's default is 64 MB).</summary>
    public long? ShmSize { get; set; }

    /// <summary>What ./relative bind sources resolve against: the caller's current directory (PowerShell's location, not the process's).</summary>
    public string? MountBaseDirectory { get; set; }

    /// <summary>Set by the engine from the image: its VOLUME paths, each an anonymous volume unless a mount covers it.</summary>
    public List<string>? ImageVolumes { get; set; }

    /// <summary>Set by the engine: the container's mounts, resolved (volume names, host paths), as docker inspect's Mounts.</summary>
    public List<Volumes.ContainerMount>? MountPoints { get; set; }

    /// <summary>docker's Config.Healthcheck: fills what the image's HEALTHCHECK leaves as it is (field by field); Test ["NONE"] disables the check.</summary>
    public Images.Oci.ImageHealthcheck? Healthcheck { get; set; }
}
