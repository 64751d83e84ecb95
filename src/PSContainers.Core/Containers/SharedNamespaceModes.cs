using PSContainers.Runtime.Spec;

namespace PSContainers.Core.Containers;

/// <summary>docker run's --pid, --ipc and --uts modes: which namespaces a container shares with the host or with another container.</summary>
public static class SharedNamespaceModes
{
    public const string ContainerPrefix = "container:";

    /// <summary>Refuses a mode docker does not have (or this engine cannot honour), naming it; empty means the container's own.</summary>
    public static void Validate(ContainerCreateRequest request)
    {
        if (request.PidMode is { Length: > 0 } pid && pid != "host" && !IsContainerMode(pid))
        {
            throw ContainerEngineException.Invalid($"-Pid \"{pid}\" is not a PID mode: use host or container:NAME.", pid);
        }

        if (request.IpcMode is { Length: > 0 } ipc && ipc is not ("host" or "private" or "shareable") && !IsContainerMode(ipc))
        {
            throw ContainerEngineException.Invalid(ipc == "none"
                ? "-Ipc none (no /dev/shm) is not supported: use private, shareable, host or container:NAME."
                : $"-Ipc \"{ipc}\" is not an IPC mode: use private, shareable, host or container:NAME.", ipc);
        }

        if (request.UtsMode is { Length: > 0 } uts && uts != "host")
        {
            throw ContainerEngineException.Invalid($"-Uts \"{uts}\" is not a UTS mode: use host (the default is the container's own).", uts);
        }

        if (request.ShmSize is not null && (request.IpcMode == "host" || TargetOf(request.IpcMode) is not null))
        {
            throw ContainerEngineException.Invalid($"-ShmSize needs the container's own IPC namespace; with -Ipc {request.IpcMode} /dev/shm is not its own.");
        }

        if (request.UtsMode == "host" && !string.IsNullOrEmpty(request.Hostname))
        {
            throw ContainerEngineException.Invalid("-Hostname cannot be combined with -Uts host: the container has the host's name.", request.Hostname);
        }

        if (request.UtsMode == "host" && !string.IsNullOrEmpty(request.Domainname))
        {
            throw ContainerEngineException.Invalid("-Domainname cannot be combined with -Uts host: the container has the host's domain name.", request.Domainname);
        }
    }

    /// <summary>The id (or name, before create resolves it) of the container a container:X mode names; null for other modes.</summary>
    public static string? TargetOf(string? mode) => mode is not null && IsContainerMode(mode) ? mode[ContainerPrefix.Length..] : null;

    /// <summary>host modes drop the namespace from the spec; container modes get their path when the container starts.</summary>
    public static void Apply(Spec spec, ContainerCreateRequest request)
    {
        var namespaces = spec.Linux!.Namespaces!;
        if (request.PidMode == "host")
        {
            namespaces.RemoveAll(n => n.Type == LinuxNamespaceType.Pid);
        }

        if (request.IpcMode == "host")
        {
            namespaces.RemoveAll(n => n.Type == LinuxNamespaceType.Ipc);
            // As docker: the host's IPC namespace comes with the host's /dev/shm.
            var shm = spec.Mounts!.FindIndex(m => m.Destination == "/dev/shm");
            var bind = new Mount { Destination = "/dev/shm", Type = "bind", Source = "/dev/shm", Options = ["rbind", "nosuid", "nodev", "noexec"] };
            if (shm >= 0)
            {
                spec.Mounts[shm] = bind;
            }
            else
            {
                spec.Mounts.Add(bind);
            }
        }

        if (request.UtsMode == "host")
        {
            namespaces.RemoveAll(n => n.Type == LinuxNamespaceType.Uts);
            spec.Hostname = null;
        }
    }

    private static bool IsContainerMode(string mode) => mode.StartsWith(ContainerPrefix, StringComparison.Ordinal) && mode.Length > ContainerPrefix.Length;
}
