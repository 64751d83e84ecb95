using PSContainers.Runtime.Spec;

namespace PSContainers.Runtime.Container;

/// <summary>Which sysctls a container may set: only those that belong to a namespace it does not share with the host.</summary>
/// <remarks>Anything else would change the host's kernel for everyone, so it is refused before anything is created.</remarks>
public static class SysctlPolicy
{
    private static readonly HashSet<string> IpcKeys = new(StringComparer.Ordinal)
    {
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax",
        "kernel.shmmni", "kernel.shm_rmid_forced",
    };

    private static readonly HashSet<string> UtsKeys = new(StringComparer.Ordinal) { "kernel.hostname", "kernel.domainname" };

    public static void Validate(Spec.Spec spec)
    {
        var sysctl = spec.Linux?.Sysctl;
        if (sysctl is null || sysctl.Count == 0)
        {
            return;
        }

        var namespaces = spec.Linux?.Namespaces ?? new List<LinuxNamespace>();
        bool Has(string type) => namespaces.Any(n => n.Type == type);
        foreach (var key in sysctl.Keys)
        {
            var normalized = key.Replace('/', '.');
            string? needed = null;
            if (IpcKeys.Contains(normalized) || normalized.StartsWith("fs.mqueue.", StringComparison.Ordinal))
            {
                needed = LinuxNamespaceType.Ipc;
            }
            else if (normalized.StartsWith("net.", StringComparison.Ordinal))
            {
                needed = LinuxNamespaceType.Network;
            }
            else if (UtsKeys.Contains(normalized))
            {
                needed = LinuxNamespaceType.Uts;
            }

            if (needed is null)
            {
                throw new ContainerException($"sysctl \"{key}\" is not in a separate kernel namespace: setting it would change the host");
            }

            if (!Has(needed))
            {
                throw new ContainerException($"sysctl \"{key}\" needs the container's own {needed} namespace: add {{\"type\": \"{needed}\"}} to linux.namespaces");
            }
        }
    }
}
