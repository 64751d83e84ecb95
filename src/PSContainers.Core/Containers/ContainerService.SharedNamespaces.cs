using System.Globalization;
using System.Text.Json;
using PSContainers.Core.State;
using PSContainers.Native;
using PSContainers.Runtime.Container;
using PSContainers.Runtime.Spec;

namespace PSContainers.Core.Containers;

// docker run --pid, --ipc and --uts: the host's namespace, or another running container's.
public sealed partial class ContainerService
{
    /// <summary>Checks the modes of a new container and records a container:NAME target by its id (a rename must not break it).</summary>
    private void PrepareSharedNamespaces(ContainerCreateRequest request)
    {
        request.PidMode = Resolve(request.PidMode, "-Pid");
        request.IpcMode = Resolve(request.IpcMode, "-Ipc");

        string? Resolve(string? mode, string parameter)
        {
            if (mode is null || !mode.StartsWith(SharedNamespaceModes.ContainerPrefix, StringComparison.Ordinal))
            {
                return mode;
            }

            var other = mode[SharedNamespaceModes.ContainerPrefix.Length..];
            var otherId = Store.Resolve(other);
            if (parameter == "-Ipc" && Store.TryLoad(otherId)?.Config.IpcMode != "shareable")
            {
                throw ContainerEngineException.Invalid($"{parameter} {mode}: container {other} has a private IPC namespace; create it with -Ipc shareable to share it.", mode);
            }

            return SharedNamespaceModes.ContainerPrefix + otherId;
        }
    }

    /// <summary>Points the bundle's pid and ipc namespaces at the running containers they share; a target that is not running is an error.</summary>
    private void JoinSharedNamespaces(string id, ContainerCreateRequest config)
    {
        var joins = new List<(string Type, string OtherId, string Parameter)>();
        if (SharedNamespaceModes.TargetOf(config.PidMode) is { } pidTarget)
        {
            joins.Add((LinuxNamespaceType.Pid, pidTarget, "-Pid"));
        }

        if (SharedNamespaceModes.TargetOf(config.IpcMode) is { } ipcTarget)
        {
            joins.Add((LinuxNamespaceType.Ipc, ipcTarget, "-Ipc"));
        }

        var shareable = config.IpcMode == "shareable";
        if (joins.Count == 0 && !shareable)
        {
            return;
        }

        var bundleConfig = Path.Combine(Paths.BundleDir(id), SpecLoader.ConfigFileName);
        var spec = JsonSerializer.Deserialize(File.ReadAllText(bundleConfig), SpecJsonContext.Default.Spec)!;
        var namespaces = spec.Linux!.Namespaces ??= [];
        foreach (var (type, otherId, parameter) in joins)
        {
            var other = Store.TryLoad(otherId)
                ?? throw new ContainerEngineException("ContainerNotFound", $"The container whose {type} namespace this one shares ({parameter} container:{otherId[..12]}) no longer exists.", ContainerErrorKind.NotFound, otherId);
            var r = TryLoadRuntimeRecord(otherId);
            if (r is null || !ProcStat.IsAlive(r.Pid, r.PidStartTime))
            {
                throw new ContainerEngineException("ContainerNotRunning", $"Container {other.Name} is not running; start it before a container that shares its {type} namespace ({parameter}).",
                    ContainerErrorKind.InvalidState, other.Name);
            }

            var pid = r.Pid.ToString(CultureInfo.InvariantCulture);
            namespaces.RemoveAll(n => n.Type == type);
            namespaces.Add(new LinuxNamespace { Type = type, Path = $"/proc/{pid}/ns/{type}" });
            if (type == LinuxNamespaceType.Ipc)
            {
                // As docker: the IPC namespace comes with the other container's /dev/shm (POSIX shared memory lives there).
                var shm = ShareableShmDir(otherId);
                if (!IsMountPoint(shm))
                {
                    throw new ContainerEngineException("ContainerNotRunning", $"Container {other.Name} has no shareable /dev/shm; restart it with -Ipc shareable.", ContainerErrorKind.InvalidState, other.Name);
                }

                BindShm(spec, shm);
            }
        }

        // Last, after every check that can fail: nothing is mounted for a start that is refused.
        if (shareable)
        {
            // As docker: a shareable container's /dev/shm is a tmpfs on the host side, so a container that joins its
            // IPC namespace can bind the same one (a mount of another mount namespace cannot be bound).
            var shm = ShareableShmDir(id);
            Directory.CreateDirectory(shm);
            if (!IsMountPoint(shm))
            {
                var size = (config.ShmSize ?? 64L * 1024 * 1024).ToString(CultureInfo.InvariantCulture);
                Libc.Check(Libc.Mount("shm", shm, "tmpfs", Consts.MS_NOSUID | Consts.MS_NODEV | Consts.MS_NOEXEC, $"mode=1777,size={size}"), "mount tmpfs", shm);
            }

            BindShm(spec, shm);
        }

        AtomicFile.WriteAllText(bundleConfig, JsonSerializer.Serialize(spec, SpecJsonContext.Default.Spec));
    }

    /// <summary>The host-side /dev/shm of a shareable container, made at its start and unmounted with its run.</summary>
    private string ShareableShmDir(string id) => Path.Combine(Paths.StateDir(id), "shm");

    private void UnmountShareableShm(string id)
    {
        var shm = ShareableShmDir(id);
        for (var i = 0; i < 8 && IsMountPoint(shm); i++)
        {
            Libc.Umount2(shm, Consts.MNT_DETACH);
        }
    }

    private static void BindShm(Spec spec, string source)
    {
        spec.Mounts!.RemoveAll(m => m.Destination == "/dev/shm");
        spec.Mounts.Add(new Mount { Destination = "/dev/shm", Type = "bind", Source = source, Options = ["rbind", "nosuid", "nodev", "noexec"] });
    }
}
