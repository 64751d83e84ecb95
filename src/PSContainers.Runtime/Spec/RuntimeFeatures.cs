namespace PSContainers.Runtime.Spec;

/// <summary>What pscrun implements, as the `features` document reports it.</summary>
public static class RuntimeFeatures
{
    public static Features Describe() => new()
    {
        OciVersionMin = "1.0.0",
        OciVersionMax = "1.3.0",
        Hooks = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"],
        MountOptions =
        [
            "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "lazytime", "loud", "mand",
            "noatime", "nodev", "nodiratime", "noexec", "nolazytime", "nomand", "norelatime", "nostrictatime",
            "nosuid", "nosymfollow", "private", "rbind", "relatime", "remount", "ro", "rprivate", "rshared",
            "rslave", "runbindable", "rw", "shared", "silent", "slave", "strictatime", "suid", "symfollow", "sync",
            "unbindable",
        ],
        Linux = new FeaturesLinux
        {
            Namespaces = ["cgroup", "ipc", "mount", "network", "pid", "user", "uts"],
            Capabilities = CapabilityNames.All.ToList(),
            Cgroup = new FeaturesCgroup { V1 = true, V2 = true, Systemd = false, SystemdUser = false, Rdma = false },
            Seccomp = new FeaturesSeccomp
            {
                Enabled = true,
                Actions = Seccomp.SeccompCompiler.Actions.ToList(),
                Operators = Seccomp.SeccompCompiler.Operators.ToList(),
                Archs = Seccomp.SeccompCompiler.Architectures.ToList(),
                KnownFlags = Seccomp.SeccompCompiler.Flags.ToList(),
                SupportedFlags = Seccomp.SeccompCompiler.Flags.ToList(),
            },
            Apparmor = new FeaturesToggle { Enabled = false },
            Selinux = new FeaturesToggle { Enabled = false },
            IntelRdt = new FeaturesToggle { Enabled = false },
            MountExtensions = new FeaturesMountExtensions { IdMap = new FeaturesToggle { Enabled = false } },
        },
    };
}
