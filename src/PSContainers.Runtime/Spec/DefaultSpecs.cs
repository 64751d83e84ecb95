namespace PSContainers.Runtime.Spec;

/// <summary>Ready-made configs: the `pscrun spec` template and the engine's default container.</summary>
public static class DefaultSpecs
{
    public const string OciVersion = "1.2.0";

    public const string DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    // The three capabilities runc's template grants: enough for a shell, nothing that reaches the host.
    public static IReadOnlyList<string> RuncCapabilities { get; } = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];

    // Docker's default set; images are built and tested against exactly these.
    public static IReadOnlyList<string> EngineCapabilities { get; } =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    // /proc and /sys entries that leak host information or let a container poke at hardware.
    public static IReadOnlyList<string> MaskedPaths { get; } =
    [
        "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
    ];

    public static IReadOnlyList<string> ReadonlyPaths { get; } = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

    // What `runc spec` prints: a rootless-friendly template the user edits, so it is deliberately minimal.
    public static Spec ForRuncSpecCommand() => new()
    {
        OciVersion = OciVersion,
        Process = new Process
        {
            Terminal = true,
            User = new User { Uid = 0, Gid = 0 },
            Args = ["sh"],
            Env = [DefaultPath, "TERM=xterm"],
            Cwd = "/",
            Capabilities = Capabilities(RuncCapabilities),
            Rlimits = [new LinuxRlimit { Type = "RLIMIT_NOFILE", Hard = 1024, Soft = 1024 }],
            NoNewPrivileges = true,
        },
        Root = new Root { Path = "rootfs", Readonly = true },
        Hostname = "pscrun",
        Mounts = StandardMounts(),
        Linux = new Linux
        {
            Resources = new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }] },
            Namespaces = Namespaces(cgroup: false),
            MaskedPaths = [.. MaskedPaths],
            ReadonlyPaths = [.. ReadonlyPaths],
        },
    };

    // The engine's starting point for a container; the container service then applies the image config and user options.
    // cgroupNamespace: null picks a private cgroup namespace on cgroup v2 hosts and the host's on v1, as Docker does.
    public static Spec ForEngine(string rootPath, IEnumerable<string> args, string? hostname = null, bool? cgroupNamespace = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootPath);
        var argList = args.ToList();
        if (argList.Count == 0)
        {
            throw new ArgumentException("a container needs a command to run.", nameof(args));
        }

        return new Spec
        {
            OciVersion = OciVersion,
            Process = new Process
            {
                Terminal = false,
                User = new User { Uid = 0, Gid = 0 },
                Args = argList,
                Env = [DefaultPath],
                Cwd = "/",
                Capabilities = Capabilities(EngineCapabilities),
                Rlimits = HostRlimits(),
                NoNewPrivileges = false,
            },
            Root = new Root { Path = rootPath, Readonly = false },
            Hostname = hostname,
            Mounts = StandardMounts(),
            Linux = new Linux
            {
                Resources = new LinuxResources { Devices = DeviceAllowlist() },
                Namespaces = Namespaces(cgroupNamespace ?? File.Exists("/sys/fs/cgroup/cgroup.controllers")),
                MaskedPaths = [.. MaskedPaths],
                ReadonlyPaths = [.. ReadonlyPaths],
            },
        };
    }

    // Soft = hard = the caller's hard limit: a fixed 1048576 fails where the host caps lower (20000 on our VMs)
    // and nobody here has CAP_SYS_RESOURCE to raise it.
    public static List<LinuxRlimit> HostRlimits()
    {
        var nofile = RlimitNative.Get(RlimitNative.RLIMIT_NOFILE).Maximum;
        var nproc = RlimitNative.Get(RlimitNative.RLIMIT_NPROC).Maximum;
        return
        [
            new LinuxRlimit { Type = "RLIMIT_NOFILE", Hard = nofile, Soft = nofile },
            new LinuxRlimit { Type = "RLIMIT_NPROC", Hard = nproc, Soft = nproc },
        ];
    }

    // Deny everything, then allow the devices every container gets plus mknod of any node
    // (creating a node is harmless while opening it is still denied).
    public static List<LinuxDeviceCgroup> DeviceAllowlist() =>
    [
        new() { Allow = false, Access = "rwm" },
        new() { Allow = true, Type = "c", Access = "m" },
        new() { Allow = true, Type = "b", Access = "m" },
        Allow('c', 1, 3),    // /dev/null
        Allow('c', 1, 5),    // /dev/zero
        Allow('c', 1, 7),    // /dev/full
        Allow('c', 1, 8),    // /dev/random
        Allow('c', 1, 9),    // /dev/urandom
        Allow('c', 5, 0),    // /dev/tty
        Allow('c', 5, 1),    // /dev/console
        Allow('c', 5, 2),    // /dev/ptmx
        Allow('c', 136, null), // /dev/pts/*
    ];

    public static List<Mount> StandardMounts() =>
    [
        new() { Destination = "/proc", Type = "proc", Source = "proc", Options = ["nosuid", "noexec", "nodev"] },
        new() { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "strictatime", "mode=755", "size=65536k"] },
        new() { Destination = "/dev/pts", Type = "devpts", Source = "devpts", Options = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
        new() { Destination = "/dev/shm", Type = "tmpfs", Source = "shm", Options = ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
        new() { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = ["nosuid", "noexec", "nodev"] },
        new() { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = ["nosuid", "noexec", "nodev", "ro"] },
        new() { Destination = "/sys/fs/cgroup", Type = "cgroup", Source = "cgroup", Options = ["nosuid", "noexec", "nodev", "relatime", "ro"] },
    ];

    private static LinuxDeviceCgroup Allow(char type, long major, long? minor) =>
        new() { Allow = true, Type = type.ToString(), Major = major, Minor = minor, Access = "rwm" };

    // Ambient and inheritable stay empty: granting them would let exec'd binaries keep capabilities across execve.
    private static LinuxCapabilities Capabilities(IReadOnlyList<string> caps) => new()
    {
        Bounding = [.. caps],
        Effective = [.. caps],
        Permitted = [.. caps],
    };

    private static List<LinuxNamespace> Namespaces(bool cgroup)
    {
        List<LinuxNamespace> list =
        [
            new() { Type = LinuxNamespaceType.Pid },
            new() { Type = LinuxNamespaceType.Network },
            new() { Type = LinuxNamespaceType.Ipc },
            new() { Type = LinuxNamespaceType.Uts },
            new() { Type = LinuxNamespaceType.Mount },
        ];
        if (cgroup)
        {
            list.Add(new LinuxNamespace { Type = LinuxNamespaceType.Cgroup });
        }
        return list;
    }
}
