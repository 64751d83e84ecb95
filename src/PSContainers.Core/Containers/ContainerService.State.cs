using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using PSContainers.Native;
using PSContainers.Runtime.Container;
using RuntimeStatus = PSContainers.Runtime.Spec.ContainerStatus;

namespace PSContainers.Core.Containers;

// How the service reads the truth from the monitor's files and the kernel, and cleans up after a run.
public sealed partial class ContainerService
{
    /// <summary>The container as it is now, or null when it does not exist (or its monitor removed it on exit).</summary>
    public ContainerInfo? Inspect(string id)
    {
        var record = Store.TryLoad(id);
        if (record is null)
        {
            return null;
        }

        var sdir = Paths.StateDir(id);
        var monitorAlive = MonitorAlive(id);
        if (File.Exists(Path.Combine(sdir, RemovedByMonitorFile)) && !monitorAlive)
        {
            // -Remove: the monitor has cleaned the run up; the engine forgets the record.
            var attributes = Runtime.Events.ContainerActor.Load(Paths.BundleDir(id));
            CleanUpRun(id);
            DeleteDirectory(sdir);
            Store.Delete(id);
            RemoveAnonymousVolumes(record.Config);
            ReleaseUserNamespace(id, record.Config);
            Events.Emit(Runtime.Events.EngineEvent.Container, "destroy", id, attributes);
            return null;
        }

        var ms = MonitorStatus.TryRead(Path.Combine(sdir, StatusFile));
        var runtimeRecord = TryLoadRuntimeRecord(id);
        var initAlive = runtimeRecord is not null && ProcStat.IsAlive(runtimeRecord.Pid, runtimeRecord.PidStartTime);
        if (record.Config.AutoRemove && ms is not null && !monitorAlive && !initAlive && TryRemoveFinished(id))
        {
            // -Remove whose monitor died (killed) before it could remove the container: what it left goes now.
            return null;
        }

        ContainerStatus status;
        int? exitCode = null;
        var pid = 0;
        var error = ms?.Error ?? record.MonitorLost;
        if (initAlive)
        {
            pid = runtimeRecord!.Pid;
            status = _runtime.StatusOf(runtimeRecord) switch
            {
                RuntimeStatus.Paused => ContainerStatus.Paused,
                RuntimeStatus.Created => ContainerStatus.Created,
                _ => ContainerStatus.Running,
            };
            if (!monitorAlive && ms is not null)
            {
                error = "The container's monitor is gone: its output is no longer logged and its exit code will not be recorded. Remove-Container -Force cleans it up.";
            }
        }
        else if (ms is null)
        {
            status = record.MonitorLost is null ? ContainerStatus.Created : ContainerStatus.Exited;
        }
        else if (ms.Status == "exited")
        {
            status = ContainerStatus.Exited;
            exitCode = ms.ExitCode;
        }
        else
        {
            // The monitor says it runs but the init is gone: exited, and if the monitor died too its exit code is lost.
            status = ContainerStatus.Exited;
            if (!monitorAlive)
            {
                error = $"The container's monitor (pid {ms.MonitorPid}) exited unexpectedly; the exit code is unknown.";
                if (record.MonitorLost is null)
                {
                    record.MonitorLost = error;
                    Store.Save(record);
                }
            }
        }

        return new ContainerInfo
        {
            Id = id,
            Name = record.Name,
            RootFs = record.Config.RootFs,
            Image = record.Config.Image,
            ImageId = record.Config.ImageId,
            Command = record.Config.Command,
            Status = status,
            Pid = pid,
            ExitCode = exitCode,
            OomKilled = ms?.OomKilled ?? false,
            Created = record.Created,
            StartedAt = ms?.StartedAt,
            FinishedAt = status == ContainerStatus.Exited ? ms?.FinishedAt : null,
            RestartCount = ms?.RestartCount ?? 0,
            Labels = record.Config.Labels,
            Error = error,
            Config = record.Config,
            Networks = EndpointsOf(id, record.Config),
            Ports = PortsOf(id, record.Config),
            Health = HealthOf(id, status),
        };
    }

    /// <summary>The health check's record; "starting" while a run has none yet; null without a health check.</summary>
    private Runtime.Health.HealthState? HealthOf(string id, ContainerStatus status)
    {
        if (!File.Exists(Path.Combine(Paths.BundleDir(id), Runtime.Health.HealthConfig.FileName)))
        {
            return null;
        }

        var health = Runtime.Health.HealthState.TryLoad(Paths.StateDir(id));
        if (health is null && status is ContainerStatus.Running or ContainerStatus.Paused)
        {
            health = new Runtime.Health.HealthState();
        }

        return health;
    }

    /// <summary>Removes a finished -Remove container if its lock is free; false when someone holds it (they will see to it).</summary>
    private bool TryRemoveFinished(string id)
    {
        using var held = Store.TryLockContainer(id);
        // A start that holds the lock may be beginning a new run; a stop or remove that holds it cleans up itself.
        if (held is null || MonitorAlive(id) || TryLoadRuntimeRecord(id) is { } r && ProcStat.IsAlive(r.Pid, r.PidStartTime))
        {
            return false;
        }

        var config = Store.TryLoad(id)?.Config;
        var attributes = Runtime.Events.ContainerActor.Load(Paths.BundleDir(id));
        CleanUpRun(id);
        DeleteDirectory(Paths.StateDir(id));
        Store.Delete(id);
        if (config is not null)
        {
            RemoveAnonymousVolumes(config);
            ReleaseUserNamespace(id, config);
        }

        Events.Emit(Runtime.Events.EngineEvent.Container, "destroy", id, attributes);
        return true;
    }

    /// <summary>Whether the monitor named in SDIR/monitor.pid still runs (and is ours: its command line names the id).</summary>
    public bool MonitorAlive(string id) => MonitorPid(id) > 0;

    private int MonitorPid(string id)
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(Paths.StateDir(id), MonitorPidFile)).Trim();
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || ProcStat.StartTime(pid) is null)
            {
                return 0;
            }

            // A recycled pid belongs to some other program; the monitor's command line names the container. A monitor
            // replaces its image (execve) on its way in and out of waiting, and for that moment its command line reads
            // empty: look again rather than take it for gone.
            for (var attempt = 0; attempt < 200; attempt++)
            {
                var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
                if (cmdline.Length > 0)
                {
                    return cmdline.Contains("monitor", StringComparison.Ordinal) && cmdline.Contains(id, StringComparison.Ordinal) ? pid : 0;
                }

                if (ProcStat.StartTime(pid) is null)
                {
                    return 0;
                }

                Thread.Sleep(1);
            }

            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private bool InitAlive(string id) =>
        TryLoadRuntimeRecord(id) is { } r && ProcStat.IsAlive(r.Pid, r.PidStartTime);

    private ContainerRecord? TryLoadRuntimeRecord(string id)
    {
        if (!Directory.Exists(_runtime.Store.DirectoryOf(id)))
        {
            return null;
        }

        try
        {
            return _runtime.Store.Load(id);
        }
        catch (ContainerException)
        {
            return null;
        }
    }

    private ContainerInfo RequireRunning(string id, string reference)
    {
        var info = Inspect(id) ?? throw ContainerEngineException.NotFound(reference);
        return info.Status is ContainerStatus.Running or ContainerStatus.Paused
            ? info
            : throw new ContainerEngineException("ContainerNotRunning", $"Container {info.Name} is not running ({info.Status}).", ContainerErrorKind.InvalidState, reference);
    }

    private void RequestStop(string id)
    {
        var sdir = Paths.StateDir(id);
        if (Directory.Exists(sdir))
        {
            File.WriteAllText(Path.Combine(sdir, StopRequestedFile), "");
        }
    }

    private void KillEverything(string id)
    {
        if (TryLoadRuntimeRecord(id) is not null)
        {
            TryRuntime(() => _runtime.Kill(id, Consts.SIGKILL, all: true));
        }
    }

    /// <summary>Waits for the monitor to finish its clean-up; one that hangs is killed (the engine started it).</summary>
    private void WaitForMonitorExit(string id, CancellationToken cancellationToken)
    {
        // The pidfd wakes once the monitor has exited: done. (A look at /proc then could still find it exiting, its
        // command line already empty, and MonitorPid would wait for an exec that is not coming.)
        if (ProcessExitWaiter.WaitForExit(MonitorPid(id), TimeSpan.FromSeconds(15), cancellationToken))
        {
            return;
        }

        if (WaitUntil(() => !MonitorAlive(id), TimeSpan.FromSeconds(1), cancellationToken))
        {
            return;
        }

        var pid = MonitorPid(id);
        if (pid > 0)
        {
            _log.LogWarning("the monitor of {Id} (pid {Pid}) did not exit after its container stopped; killing it", id, pid);
            Libc.Kill(pid, Consts.SIGKILL);
            WaitUntil(() => !MonitorAlive(id), TimeSpan.FromSeconds(5), cancellationToken);
        }
    }

    /// <summary>Undoes what a run leaves when its monitor could not: the runtime's container and cgroup, the overlay mount.</summary>
    private void CleanUpRun(string id)
    {
        if (MonitorAlive(id))
        {
            return;
        }

        if (TryLoadRuntimeRecord(id) is not null)
        {
            TryRuntime(() => _runtime.Delete(id, force: true));
        }
        else
        {
            // No runtime state (a reboot-like empty run root, or a runtime killed mid-create): the runtime cannot
            // delete what it does not know, so the container's cgroups go here, after any orphan left in them.
            TryRuntime(() => RemoveOrphanCgroup(id));
        }

        TearDownNetworking(id);
        UnmountShareableShm(id);
        UnmountIdMappedSources(id);
        var merged = Paths.MergedDir(id);
        for (var i = 0; i < 8 && IsMountPoint(merged); i++)
        {
            if (Libc.Umount2(merged, Consts.MNT_DETACH) != 0)
            {
                throw new ContainerEngineException("ContainerCleanupFailed",
                    $"Cannot unmount {merged}: errno {Marshal.GetLastPInvokeError()}.", ContainerErrorKind.OperationFailed, id);
            }
        }
    }

    private static void RemoveOrphanCgroup(string id)
    {
        var cgroup = Runtime.Cgroups.CgroupManagerFactory.Create($"{ContainerSpecBuilder.CgroupParent}/{id}");
        if (!cgroup.Exists)
        {
            return;
        }

        if (cgroup.GetPids().Count > 0)
        {
            cgroup.Kill(9);
        }

        cgroup.Remove();
    }

    private static bool IsMountPoint(string path)
    {
        var escaped = path.Replace(" ", "\\040", StringComparison.Ordinal);
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ', 6);
            if (fields.Length > 4 && fields[4] == escaped)
            {
                return true;
            }
        }

        return false;
    }

    private bool IsFinished(string id) =>
        Store.TryLoad(id) is null || (!MonitorAlive(id) && !InitAlive(id) && MonitorStatus.TryRead(Path.Combine(Paths.StateDir(id), StatusFile)) is not null);

    private bool WillRestart(string id, MonitorStatus status)
    {
        if (!MonitorAlive(id) || File.Exists(Path.Combine(Paths.StateDir(id), StopRequestedFile)))
        {
            return false;
        }

        var policy = Store.TryLoad(id)?.Config.Restart ?? "no";
        if (policy is "always" or "unless-stopped")
        {
            return true;
        }

        if (policy.StartsWith("on-failure", StringComparison.Ordinal))
        {
            var max = policy.Length > "on-failure:".Length ? int.Parse(policy["on-failure:".Length..], CultureInfo.InvariantCulture) : 0;
            return status.ExitCode is not 0 && (max == 0 || status.RestartCount < max);
        }

        return false;
    }

    private static void ValidateRestartPolicy(string? policy)
    {
        if (policy is null or "" or "no" or "always" or "unless-stopped" or "on-failure")
        {
            return;
        }

        if (policy.StartsWith("on-failure:", StringComparison.Ordinal)
            && int.TryParse(policy["on-failure:".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            return;
        }

        throw ContainerEngineException.Invalid($"Invalid restart policy \"{policy}\": use no, always, unless-stopped, on-failure or on-failure:N.", policy);
    }

    private void TryRuntime(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is ContainerException or SyscallException or Runtime.Cgroups.CgroupException or IOException)
        {
            // The container may have exited between our check and the call; callers re-read the state afterwards.
            _log.LogDebug("runtime call failed: {Error}", e.Message);
        }
    }

    private void RuntimeCall(string id, Action action, string errorId)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is ContainerException or SyscallException or Runtime.Cgroups.CgroupException)
        {
            throw new ContainerEngineException(errorId, $"Container {Store.TryLoad(id)?.Name ?? id}: {e.Message}.", ContainerErrorKind.InvalidState, id, e);
        }
    }

    private static bool WaitUntil(Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            Thread.Sleep(Poll);
        }

        return true;
    }

    private static void DeleteDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
