using System.Globalization;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PSContainers.Core.Images;
using PSContainers.Core.State;
using PSContainers.Native;
using PSContainers.Runtime.Container;
using PSContainers.Runtime.Spec;

namespace PSContainers.Core.Containers;

/// <summary>The container engine: records, bundles and overlays on disk, a detached pscrun monitor per running container.</summary>
public sealed partial class ContainerService : IContainerService
{
    private const string StatusFile = "status.json";
    private const string LogFile = "container.log";
    private const string MonitorPidFile = "monitor.pid";
    private const string StopRequestedFile = "stop-requested";
    private const string RemovedByMonitorFile = "removed-by-monitor";
    private const string AttachSocket = "attach";
    private static readonly TimeSpan DefaultStopTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MonitorReadyTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan StatusPoll = TimeSpan.FromMilliseconds(2);
    private static readonly TimeSpan InitHandlerWait = TimeSpan.FromSeconds(2);

    private readonly ILogger _log;
    private readonly LinuxContainerRuntime _runtime;

    public ContainerService(EnginePaths? paths = null, ILogger? logger = null, string? pscrunPath = null)
    {
        Paths = paths ?? EnginePaths.FromEnvironment();
        _log = logger ?? NullLogger.Instance;
        Store = new ContainerStore(Paths);
        _runtime = new LinuxContainerRuntime(Paths.RuntimeRoot, _log);
        Launcher = new MonitorLauncher(pscrunPath ?? MonitorLauncher.DefaultPscrunPath());
        Events = new Events.EventService(Paths);
    }

    /// <summary>A container's event attributes as docker gives them: name, image and its labels.</summary>
    private static Dictionary<string, string> ActorAttributes(string name, ContainerCreateRequest config)
    {
        var attributes = new Dictionary<string, string>(config.Labels, StringComparer.Ordinal)
        {
            ["name"] = name,
            ["image"] = config.Image ?? config.ImageId ?? config.RootFs,
        };
        return attributes;
    }

    private void EmitContainer(string id, string action, params (string Key, string Value)[] extra)
    {
        var attributes = Runtime.Events.ContainerActor.Load(Paths.BundleDir(id));
        foreach (var (key, value) in extra)
        {
            attributes[key] = value;
        }

        Events.Emit(Runtime.Events.EngineEvent.Container, action, id, attributes);
    }

    public EnginePaths Paths { get; }

    /// <summary>Where the service records what it does (docker events).</summary>
    public Events.EventService Events { get; }

    public ContainerStore Store { get; }

    public MonitorLauncher Launcher { get; }

    public ContainerInfo Create(ContainerCreateRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!string.IsNullOrEmpty(request.Image))
        {
            var images = new ImageService(Paths, _log);
            // The lease keeps a concurrent prune from deleting the layers before the record below references them.
            using (images.AcquireLease(cancellationToken))
            {
                return CreateFromImage(request, images, cancellationToken);
            }
        }

        if (string.IsNullOrEmpty(request.RootFs) || !Directory.Exists(request.RootFs))
        {
            throw new ContainerEngineException("RootFsNotFound",
                $"The root filesystem directory \"{request.RootFs}\" does not exist. Give -RootFs an unpacked root filesystem (a directory with /bin, /etc, ...).",
                ContainerErrorKind.NotFound, request.RootFs);
        }

        request.RootFs = Path.GetFullPath(request.RootFs);
        return CreateChecked(request, [request.RootFs], cancellationToken);
    }

    private ContainerInfo CreateFromImage(ContainerCreateRequest request, ImageService images, CancellationToken cancellationToken)
    {
        var image = images.Resolve(request.Image!);
        if (request.Platform is { Length: > 0 } wanted)
        {
            var platform = PlatformSpec.Parse(wanted);
            var (arch, variant) = PlatformSpec.NormalizeArchitecture(image.Config.Architecture, image.Config.Variant);
            if (image.Config.Os != platform.Os || arch != platform.Architecture || (platform.Variant is not null && variant != platform.Variant))
            {
                throw new ContainerEngineException("PlatformMismatch",
                    $"The image {request.Image} is {image.Config.Os}/{arch}{(variant is null ? "" : "/" + variant)}, not {platform}.", ContainerErrorKind.InvalidArgument, request.Image);
            }
        }

        // Layers pruned since the image arrived are unpacked again from their blobs.
        var chain = images.EnsureUnpacked(image.Manifest, image.Config, null, cancellationToken);
        ImageRunDefaults.Apply(request, image.Config);
        request.RootFs = "";
        request.ImageId = image.Record.Config;
        request.ImageManifest = image.Record.Manifest;
        request.ImageLayers = chain.Select(c => c.ToString()).ToList();
        return CreateChecked(request, LayerDirs(request), cancellationToken);
    }

    /// <summary>
    /// A container on a stack of unpacked layers (chainIDs, bottom first) that no image record names yet: the image a
    /// build has made so far. The caller holds <see cref="ImageService.AcquireLease"/> so a prune keeps the layers.
    /// </summary>
    public ContainerInfo CreateOnLayers(ContainerCreateRequest request, IReadOnlyList<Digest> chainIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(chainIds);
        var snapshots = new Images.Snapshots.SnapshotStore(Paths.SnapshotsDir);
        if (chainIds.FirstOrDefault(c => !snapshots.Exists(c)) is { } missing)
        {
            throw new ContainerEngineException("LayerNotFound", $"The layer {missing} is not unpacked.", ContainerErrorKind.NotFound, missing.ToString());
        }

        request.Image = null;
        request.ImageLayers = chainIds.Select(c => c.ToString()).ToList();
        return CreateChecked(request, LayerDirs(request), cancellationToken);
    }

    /// <summary>
    /// Moves an exited container's upper directory (its changes, in overlay form) to destination, which must not exist
    /// and must be on the same filesystem: the builder keeps it as a layer. The container is left without changes.
    /// </summary>
    public void TakeUpperDir(string idOrName, string destination, CancellationToken cancellationToken = default)
    {
        var id = Store.Resolve(idOrName);
        using (Store.LockContainer(id, cancellationToken))
        {
            var info = Inspect(id) ?? throw ContainerEngineException.NotFound(idOrName);
            if (info.Status is ContainerStatus.Running or ContainerStatus.Paused || MonitorAlive(id))
            {
                throw new ContainerEngineException("ContainerRunning", $"Container {info.Name} is still running; its changes cannot be taken yet.", ContainerErrorKind.InvalidState, idOrName);
            }

            // The overlay must be gone before its upper directory moves.
            CleanUpRun(id);
            Libc.Check(LibcAt.RenameAt(Consts.AT_FDCWD, Paths.UpperDir(id), Consts.AT_FDCWD, destination), "rename", Paths.UpperDir(id));
            Directory.CreateDirectory(Paths.UpperDir(id));
        }
    }

    /// <summary>The container's read-only layers, top first: the image's snapshots, or the -RootFs directory.</summary>
    private IReadOnlyList<string> LayerDirs(ContainerCreateRequest config)
    {
        if (config.ImageLayers is not { Count: > 0 } layers)
        {
            return [config.RootFs];
        }

        var snapshots = new Images.Snapshots.SnapshotStore(Paths.SnapshotsDir);
        return layers.AsEnumerable().Reverse().Select(c => snapshots.FsDir(Digest.Parse(c))).ToList();
    }

    /// <summary>Short links of the layers for the overlay's lowerdir= (top first), so deep images fit the mount options.</summary>
    private string LowerDirOption(ContainerCreateRequest config)
    {
        if (config.UserNamespaceMethod == "copy")
        {
            return string.Join(':', ShiftedLayerDirs(config, CancellationToken.None));
        }

        if (config.ImageLayers is not { Count: > 0 } layers)
        {
            return config.RootFs;
        }

        var snapshots = new Images.Snapshots.SnapshotStore(Paths.SnapshotsDir);
        return string.Join(':', layers.AsEnumerable().Reverse().Select(c => snapshots.LowerDir(Digest.Parse(c))));
    }

    private ContainerInfo CreateChecked(ContainerCreateRequest request, IReadOnlyList<string> layers, CancellationToken cancellationToken)
    {
        ValidateRestartPolicy(request.Restart);
        HealthcheckRules.Validate(request.Healthcheck);
        if (request.StopSignal is not null)
        {
            SignalNames.Parse(request.StopSignal);
        }

        if (request.AutoRemove && request.Restart is not (null or "" or "no"))
        {
            throw ContainerEngineException.Invalid("-Remove cannot be combined with a restart policy other than 'no'.");
        }

        SharedNamespaceModes.Validate(request);
        ContainerHostOptions.Validate(request, layers);
        PrepareSharedNamespaces(request);
        var userns = Security.UserNamespaceSettings.Parse(request.UserNS, request.UidMap, request.GidMap);
        PrepareNetworking(request, cancellationToken);
        var id = ContainerStore.NewId();
        var mountRequests = PlanMounts(request, layers);
        // Building the spec first validates every option before anything is written: bad input leaves nothing behind.
        var spec = ContainerSpecBuilder.Build(id, request, Paths.MergedDir(id), Path.Join(Path.GetDirectoryName(Launcher.PscrunPath), "psc-init"), layers);
        ApplyNetworkSpec(spec, id, request);
        layers = MapUserNamespace(id, request, userns, spec, layers, cancellationToken);
        var record = new StoredContainer { Id = id, Name = request.Name ?? "", Created = DateTimeOffset.UtcNow, Config = request };
        try
        {
            AddWithVolumes(record, mountRequests, layers, cancellationToken);
        }
        catch
        {
            ReleaseUserNamespace(id, request);
            throw;
        }

        try
        {
            foreach (var dir in new[] { Paths.BundleDir(id), Paths.UpperDir(id), Paths.WorkDir(id), Paths.MergedDir(id) })
            {
                Directory.CreateDirectory(dir);
            }

            OwnUpperDir(id, request);

            AtomicFile.WriteAllText(Path.Combine(Paths.BundleDir(id), SpecLoader.ConfigFileName), JsonSerializer.Serialize(spec, SpecJsonContext.Default.Spec), ContainerStore.Durable(record));
            if (HealthcheckRules.ToConfig(request.Healthcheck) is { } health)
            {
                AtomicFile.WriteAllText(Path.Combine(Paths.BundleDir(id), Runtime.Health.HealthConfig.FileName), health.ToJson(), ContainerStore.Durable(record));
            }

            Runtime.Events.ContainerActor.Save(Paths.BundleDir(id), ActorAttributes(record.Name, request));
        }
        catch
        {
            Store.Delete(id);
            RemoveAnonymousVolumes(request);
            ReleaseUserNamespace(id, request);
            throw;
        }

        _log.LogDebug("created container {Id} ({Name}) on {RootFs}", id, record.Name, request.Image ?? request.RootFs);
        EmitContainer(id, "create");
        return Inspect(id) ?? throw ContainerEngineException.NotFound(id);
    }

    public ContainerInfo Start(string idOrName, CancellationToken cancellationToken = default)
    {
        var id = Store.Resolve(idOrName);
        using (Store.LockContainer(id, cancellationToken))
        {
            var info = Inspect(id) ?? throw ContainerEngineException.NotFound(idOrName);
            if (info.Status is ContainerStatus.Running or ContainerStatus.Paused)
            {
                return info;
            }

            StartLocked(id, info.Config, cancellationToken);
            // A -Remove container that already exited is gone; report it as exited rather than missing.
            return Inspect(id) ?? new ContainerInfo
            {
                Id = id, Name = info.Name, RootFs = info.RootFs, Command = info.Command, Status = ContainerStatus.Exited,
                Created = info.Created, Labels = info.Labels, Config = info.Config,
            };
        }
    }

    /// <summary>
    /// Starts a container with this process attached from its first instruction: the monitor gets one end of a
    /// socket pair as its first attach client, so no output is missed and no socket path is involved. The
    /// container runs on if this process goes away; dispose the attachment to detach.
    /// </summary>
    public unsafe ContainerAttachment StartAttached(string idOrName, CancellationToken cancellationToken = default)
    {
        var id = Store.Resolve(idOrName);
        var fds = stackalloc int[2];
        Libc.Check(Libc.SocketPair(Consts.AF_UNIX, Consts.SOCK_STREAM | Consts.SOCK_CLOEXEC, 0, fds), "socketpair", "attach");
        var attachment = new ContainerAttachment(fds[0], id);
        try
        {
            using (Store.LockContainer(id, cancellationToken))
            {
                var info = Inspect(id) ?? throw ContainerEngineException.NotFound(idOrName);
                if (info.Status is ContainerStatus.Running or ContainerStatus.Paused)
                {
                    throw new ContainerEngineException("ContainerRunning", $"Container {info.Name} is already running; attach to it instead.",
                        ContainerErrorKind.InvalidState, idOrName);
                }

                var theirs = fds[1];
                fds[1] = -1;
                StartLocked(id, info.Config, cancellationToken, theirs);
            }

            return attachment;
        }
        catch
        {
            if (fds[1] >= 0)
            {
                Libc.Close(fds[1]);
            }

            attachment.Dispose();
            throw;
        }
    }

    /// <summary>Connects to a running container's attach socket: its output from now on, its stdin, its terminal size, its exit.</summary>
    public ContainerAttachment Attach(string idOrName)
    {
        var id = Store.Resolve(idOrName);
        RequireRunning(id, idOrName);
        try
        {
            return new ContainerAttachment(UnixSocket.Connect(Path.Combine(Paths.StateDir(id), AttachSocket)), id);
        }
        catch (SyscallException e)
        {
            throw new ContainerEngineException("ContainerAttachFailed", $"Cannot attach to container {Store.TryLoad(id)?.Name ?? id}: {e.Message}.",
                ContainerErrorKind.OperationFailed, idOrName, e);
        }
    }

    /// <summary>Waits until the container's monitor has finished its work (after the final exit frame), so a -Remove container is gone.</summary>
    public void AwaitMonitorExit(string id, CancellationToken cancellationToken = default)
    {
        WaitForMonitorExit(id, cancellationToken);
        Inspect(id);
    }

    /// <summary>Runs a command in a running container on a pty of its own (docker exec -it); relay it with TerminalRelay.</summary>
    public ExecTerminal StartExecTerminal(string idOrName, ContainerExecRequest request, CancellationToken cancellationToken = default)
    {
        var id = Store.Resolve(idOrName);
        var args = ExecArguments(id, idOrName, request);
        return ExecTerminal.Start(Launcher.PscrunPath, ["--root", Paths.RuntimeRoot], args, Paths.StateDir(id), _log, cancellationToken);
    }

    /// <summary>Runs a command in a running container with raw pipes for its standard streams (docker exec -i).</summary>
    public ExecProcess StartExecProcess(string idOrName, ContainerExecRequest request, bool openStdin)
    {
        var id = Store.Resolve(idOrName);
        var args = new List<string> { "--root", Paths.RuntimeRoot, "exec" };
        args.AddRange(ExecArguments(id, idOrName, request));
        return ExecProcess.Start(Launcher.PscrunPath, args, openStdin, _log);
    }

    private void StartLocked(string id, ContainerCreateRequest config, CancellationToken cancellationToken, int attachFd = -1)
    {
        // Whatever a previous run left (a monitor killed with -9) goes first: the runtime id and the mount point are reused.
        CleanUpRun(id);
        PrepareVolumes(config, cancellationToken);
        var sdir = Paths.StateDir(id);
        Directory.CreateDirectory(sdir);
        foreach (var stale in new[] { StatusFile, MonitorPidFile, StopRequestedFile, RemovedByMonitorFile })
        {
            File.Delete(Path.Combine(sdir, stale));
        }

        var record = Store.Load(id);
        if (record.MonitorLost is not null)
        {
            record.MonitorLost = null;
            Store.Save(record);
        }

        Directory.CreateDirectory(Paths.RuntimeRoot);
        var args = new List<string>
        {
            "--runtime-root", Paths.RuntimeRoot, "--bundle", Paths.BundleDir(id), "--id", id, "--state-dir", sdir,
            "--overlay", $"{LowerDirOption(config)},{Paths.UpperDir(id)},{Paths.WorkDir(id)},{Paths.MergedDir(id)}",
            "--restart", string.IsNullOrEmpty(config.Restart) ? "no" : config.Restart,
            "--events", Events.Journal.Path,
        };
        args.AddRange(IdMapMonitorArguments(config));
        if (config.AutoRemove)
        {
            args.Add("--remove-on-exit");
        }

        if (config.Tty)
        {
            args.Add("--tty");
        }

        if (config.OpenStdin)
        {
            args.Add("--stdin");
        }

        JoinSharedNamespaces(id, config);
        SetUpNetworking(id, config, cancellationToken);
        _log.LogDebug("starting the monitor for {Id}: {Pscrun} monitor {Args}", id, Launcher.PscrunPath, string.Join(' ', args));
        try
        {
            // The monitor records the start (it knows first), as it records the die.
            Launcher.Launch(args, MonitorReadyTimeout, cancellationToken, attachFd);
        }
        catch (Exception e) when (e is ContainerEngineException or OperationCanceledException)
        {
            // A half-started run must not linger: no init, no mount, no monitor (and no network: the clean-up waits for the monitor).
            KillEverything(id);
            WaitForMonitorExit(id, CancellationToken.None);
            CleanUpRun(id);
            if (e is ContainerEngineException engine)
            {
                // A monitor that died before answering may still have said why in status.json.
                var status = MonitorStatus.TryRead(Path.Combine(sdir, StatusFile));
                var reason = status?.Error ?? engine.Message;
                // The monitor records a die only for a container that ran; one that never started dies here, as docker's
                // does, with its code (127 not found, 126 not executable) or 128 for a failure before the command.
                EmitContainer(id, "die", ("exitCode", ((status?.Error is null ? null : status.ExitCode) ?? 128).ToString(System.Globalization.CultureInfo.InvariantCulture)));
                throw new ContainerEngineException(engine.ErrorId, $"Container {Store.TryLoad(id)?.Name ?? id} failed to start: {reason}", engine.Kind, id, engine)
                {
                    ExitCode = status?.Error is null ? null : status.ExitCode,
                };
            }

            throw;
        }
    }

    public ContainerInfo Stop(string idOrName, string? signal = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var id = Store.Resolve(idOrName);
        using (Store.LockContainer(id, cancellationToken))
        {
            var info = Inspect(id) ?? throw ContainerEngineException.NotFound(idOrName);
            StopLocked(id, info, signal, timeout, cancellationToken);
            if (!MonitorAlive(id))
            {
                // docker releases a stopped container's address and rules; the next start makes them again.
                TearDownNetworking(id);
            }

            // A -Remove container is gone once it has stopped: the stop did what was asked (docker answers 204 too).
            return Inspect(id) ?? (info.Config.AutoRemove ? info.AsRemovedOnExit(DateTimeOffset.UtcNow) : throw ContainerEngineException.NotFound(idOrName));
        }
    }

    private void StopLocked(string id, ContainerInfo info, string? signal, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (info.Status is not (ContainerStatus.Running or ContainerStatus.Paused) && !MonitorAlive(id))
        {
            return;
        }

        RequestStop(id);
        var number = SignalNames.Parse(signal ?? info.Config.StopSignal ?? "TERM");
        var wait = timeout ?? (info.Config.StopTimeoutSeconds is { } s ? TimeSpan.FromSeconds(s) : DefaultStopTimeout);
        if (info.Status == ContainerStatus.Paused)
        {
            // A frozen process gets signals only after it thaws.
            TryRuntime(() => _runtime.Resume(id));
        }

        if (info.Config.Init && info.Pid is > 0 and var initPid)
        {
            // PID 1 drops a signal it has no handler for, and psc-init needs a few ms after exec to install its own:
            // a stop right after the start would otherwise wait out the whole timeout for the SIGKILL.
            WaitUntil(() => CatchesSignal(initPid, number), InitHandlerWait, cancellationToken);
        }

        _log.LogDebug("sending signal {Signal} to {Id}", number, id);
        EmitContainer(id, "kill", ("signal", number.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        TryRuntime(() => _runtime.Kill(id, number, all: false));
        if (!WaitForInitExit(id, wait, cancellationToken))
        {
            _log.LogDebug("{Id} still runs after {Timeout}; sending SIGKILL", id, wait);
            EmitContainer(id, "kill", ("signal", Consts.SIGKILL.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            TryRuntime(() => _runtime.Kill(id, Consts.SIGKILL, all: true));
        }

        WaitForMonitorExit(id, cancellationToken);
        EmitContainer(id, "stop");
    }

    /// <summary>True when the process has a handler for the signal (SigCgt in /proc), or is gone.</summary>
    private static bool CatchesSignal(int pid, int signal)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("SigCgt:", StringComparison.Ordinal))
                {
                    var mask = ulong.Parse(line.AsSpan(7).Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
                    return (mask & (1UL << (signal - 1))) != 0;
                }
            }
        }
        catch (IOException)
        {
        }

        return true;
    }

    public ContainerInfo Kill(string idOrName, string signal = "KILL", CancellationToken cancellationToken = default)
    {
        var id = Store.Resolve(idOrName);
        var number = SignalNames.Parse(signal);
        var info = Inspect(id) ?? throw ContainerEngineException.NotFound(idOrName);
        if (info.Status is not (ContainerStatus.Running or ContainerStatus.Paused))
        {
            throw new ContainerEngineException("ContainerNotRunning", $"Container {info.Name} is not running ({info.Status}).", ContainerErrorKind.InvalidState, idOrName);
        }

        // docker kill counts as a user's stop: restart policies leave the container down.
        RequestStop(id);
        EmitContainer(id, "kill", ("signal", number.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        TryRuntime(() => _runtime.Kill(id, number, all: number == Consts.SIGKILL));
        if (number == Consts.SIGKILL)
        {
            WaitForMonitorExit(id, cancellationToken);
        }

        return Inspect(id) ?? (info.Config.AutoRemove ? info.AsRemovedOnExit(DateTimeOffset.UtcNow) : throw ContainerEngineException.NotFound(idOrName));
    }

    public ContainerInfo Restart(string idOrName, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var id = Store.Resolve(idOrName);
        using (Store.LockContainer(id, cancellationToken))
        {
            var info = Inspect(id) ?? throw ContainerEngineException.NotFound(idOrName);
            StopLocked(id, info, null, timeout, cancellationToken);
            StartLocked(id, info.Config, cancellationToken);
            EmitContainer(id, "restart");
            // A -Remove container that already exited is gone; report it as exited rather than missing.
            return Inspect(id) ?? new ContainerInfo
            {
                Id = id, Name = info.Name, RootFs = info.RootFs, Command = info.Command, Status = ContainerStatus.Exited,
                Created = info.Created, Labels = info.Labels, Config = info.Config,
            };
        }
    }

    public void Remove(string idOrName, bool force, CancellationToken cancellationToken = default) => Remove(idOrName, force, false, cancellationToken);

    public void Remove(string idOrName, bool force, bool removeVolumes, CancellationToken cancellationToken)
    {
        var id = Store.Resolve(idOrName);
        using (Store.LockContainer(id, cancellationToken))
        {
            var info = Inspect(id);
            if (info is null)
            {
                // The monitor removed it (-Remove) and Inspect finished the job.
                return;
            }

            if (info.Status is ContainerStatus.Running or ContainerStatus.Paused)
            {
                if (!force)
                {
                    throw new ContainerEngineException("ContainerRunning",
                        $"Container {info.Name} is {info.Status.ToString().ToLowerInvariant()}; stop it first or use -Force.", ContainerErrorKind.InvalidState, idOrName);
                }
            }

            RequestStop(id);
            KillEverything(id);
            WaitForMonitorExit(id, cancellationToken);
            CleanUpRun(id);
            var attributes = Runtime.Events.ContainerActor.Load(Paths.BundleDir(id));
            DeleteDirectory(Paths.StateDir(id));
            Store.Delete(id);
            ReleaseUserNamespace(id, info.Config);
            Events.Emit(Runtime.Events.EngineEvent.Container, "destroy", id, attributes);
            if (removeVolumes)
            {
                RemoveAnonymousVolumes(info.Config);
            }

            _log.LogDebug("removed container {Id}", id);
        }
    }

    public ContainerInfo Get(string idOrName)
    {
        var id = Store.Resolve(idOrName);
        return Inspect(id) ?? throw ContainerEngineException.NotFound(idOrName);
    }

    public IReadOnlyList<ContainerInfo> List(bool all)
    {
        var list = new List<ContainerInfo>();
        foreach (var id in Store.Ids())
        {
            if (Inspect(id) is { } info && (all || info.Status is ContainerStatus.Running or ContainerStatus.Paused))
            {
                list.Add(info);
            }
        }

        return list.OrderByDescending(c => c.Created).ToList();
    }

    public int Wait(string idOrName, CancellationToken cancellationToken = default)
    {
        var id = Store.Resolve(idOrName);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var status = MonitorStatus.TryRead(Path.Combine(Paths.StateDir(id), StatusFile));
            if (status?.Status == "exited" && !WillRestart(id, status))
            {
                return status.ExitCode ?? -1;
            }

            // A monitor that died leaves no exit status: as docker does for a lost exit code, report -1.
            if (status is not null && !MonitorAlive(id) && !InitAlive(id))
            {
                return Inspect(id)?.ExitCode ?? -1;
            }

            if (Store.TryLoad(id) is null)
            {
                throw ContainerEngineException.NotFound(idOrName);
            }

            // Never started (or its start failed): nothing will ever exit, so waiting returns at once, as docker's
            // "not-running" condition does; the exit code is unknown.
            if (status is null && !MonitorAlive(id) && !InitAlive(id))
            {
                return -1;
            }

            // Woken by the init's end; the monitor records the exit a moment later.
            if (TryLoadRuntimeRecord(id) is { } record && ProcStat.IsAlive(record.Pid, record.PidStartTime))
            {
                ProcessExitWaiter.WaitForExit(record.Pid, Poll * 4, cancellationToken);
            }
            else
            {
                // Between an exit and its record the wait is short; a restart's back-off delay is not.
                Thread.Sleep(status?.Status == "exited" ? Poll : StatusPoll);
            }
        }
    }

    /// <summary>Waits for the container's init to end; true when it did within the timeout.</summary>
    private bool WaitForInitExit(string id, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (TryLoadRuntimeRecord(id) is { } record && ProcStat.IsAlive(record.Pid, record.PidStartTime))
        {
            ProcessExitWaiter.WaitForExit(record.Pid, timeout, cancellationToken);
        }

        return WaitUntil(() => !InitAlive(id), TimeSpan.FromMilliseconds(200), cancellationToken);
    }

    public IEnumerable<ContainerLogEntry> ReadLog(string idOrName, bool follow, int? tail, DateTimeOffset? since, CancellationToken cancellationToken = default)
    {
        var id = Store.Resolve(idOrName);
        return ContainerLogReader.Read(Path.Combine(Paths.StateDir(id), LogFile), follow, tail, since, () => IsFinished(id), cancellationToken);
    }

    public ContainerExecResult Exec(string idOrName, ContainerExecRequest request, Action<ContainerLogEntry>? output = null, CancellationToken cancellationToken = default)
    {
        var id = Store.Resolve(idOrName);
        var args = new List<string> { "--root", Paths.RuntimeRoot, "exec" };
        args.AddRange(ExecArguments(id, idOrName, request));
        RecordExecEvent(id, "exec_start", request);
        int? exitCode = null;
        try
        {
            var result = ExecRunner.Run(Launcher.PscrunPath, args, id, request.Input, output, _log, cancellationToken);
            exitCode = result.ExitCode;
            return result;
        }
        finally
        {
            // A run that failed before its command ended still dies, as docker's does: 126 says it did not run to an exit.
            RecordExecEvent(id, "exec_die", request, exitCode ?? 126);
        }
    }

    public void RecordEvent(string idOrName, string action, params (string Key, string Value)[] extra) => EmitContainer(Store.Resolve(idOrName), action, extra);

    public void RecordExecEvent(string idOrName, string action, ContainerExecRequest request, int? exitCode = null)
    {
        var id = Store.Resolve(idOrName);
        request.ExecId ??= ContainerStore.NewId();
        var extra = new List<(string Key, string Value)> { ("execID", request.ExecId) };
        if (exitCode is { } code)
        {
            extra.Add(("exitCode", code.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        // docker's exec_create and exec_start actions carry the command after a colon; exec_die does not.
        EmitContainer(id, action == "exec_die" ? action : $"{action}: {string.Join(' ', request.Command)}", extra.ToArray());
    }

    /// <summary>The options, id and command of `pscrun exec` for a request, after checking the container runs.</summary>
    private List<string> ExecArguments(string id, string idOrName, ContainerExecRequest request)
    {
        var info = Inspect(id) ?? throw ContainerEngineException.NotFound(idOrName);
        if (info.Status != ContainerStatus.Running)
        {
            throw new ContainerEngineException("ContainerNotRunning", $"Container {info.Name} is not running ({info.Status}); start it first.", ContainerErrorKind.InvalidState, idOrName);
        }

        if (request.Command.Count == 0)
        {
            throw ContainerEngineException.Invalid("A command to run in the container is needed.");
        }

        var args = new List<string>();
        foreach (var (name, value) in request.Environment)
        {
            args.Add("--env");
            args.Add($"{name}={value}");
        }

        if (!string.IsNullOrEmpty(request.User))
        {
            var (uid, gid, _) = UserResolver.Resolve(Paths.MergedDir(id), request.User);
            args.Add("--user");
            args.Add($"{uid}:{gid}");
            // As docker exec -u: the user's own groups, then the container's -GroupAdd ones.
            var groups = UserResolver.SupplementaryGroups([Paths.MergedDir(id)], request.User, gid);
            groups.AddRange(ContainerHostOptions.ResolveGroups([Paths.MergedDir(id)], info.Config.GroupAdd).Where(g => !groups.Contains(g)));
            foreach (var group in groups)
            {
                args.Add("--additional-gids");
                args.Add(group.ToString(CultureInfo.InvariantCulture));
            }
        }

        if (!string.IsNullOrEmpty(request.WorkingDirectory))
        {
            args.Add("--cwd");
            args.Add(request.WorkingDirectory);
        }

        if (request.Privileged)
        {
            foreach (var cap in CapabilityNames.Grantable())
            {
                args.Add("--cap");
                args.Add(cap);
            }
        }

        args.Add(id);
        args.AddRange(request.Command);
        return args;
    }

    public ContainerInfo Pause(string idOrName)
    {
        var id = Store.Resolve(idOrName);
        RuntimeCall(id, () => _runtime.Pause(id), "ContainerNotRunning");
        EmitContainer(id, "pause");
        return Get(id);
    }

    public ContainerInfo Resume(string idOrName)
    {
        var id = Store.Resolve(idOrName);
        RuntimeCall(id, () => _runtime.Resume(id), "ContainerNotPaused");
        EmitContainer(id, "unpause");
        return Get(id);
    }

    public ContainerInfo Rename(string idOrName, string newName)
    {
        var id = Store.Resolve(idOrName);
        var oldName = Store.Load(id).Name;
        Store.Rename(id, newName);
        var record = Store.Load(id);
        if (Directory.Exists(Paths.BundleDir(id)))
        {
            // The monitor's events (die, health_status) carry the new name from now on.
            Runtime.Events.ContainerActor.Save(Paths.BundleDir(id), ActorAttributes(record.Name, record.Config));
        }

        EmitContainer(id, "rename", ("oldName", oldName));
        return Get(id);
    }

    public ContainerInfo Update(string idOrName, ContainerResources resources)
    {
        var id = Store.Resolve(idOrName);
        using (Store.LockContainer(id))
        {
            var record = Store.Load(id);
            var linux = new LinuxResources();
            ContainerSpecBuilder.ApplyResources(linux, resources);
            if (InitAlive(id))
            {
                RuntimeCall(id, () => _runtime.Update(id, linux), "ContainerNotRunning");
            }

            // The next start builds its cgroup from the bundle, so the new limits go there too.
            var merged = record.Config.Resources;
            merged.Memory = resources.Memory ?? merged.Memory;
            merged.MemorySwap = resources.MemorySwap ?? merged.MemorySwap;
            merged.MemoryReservation = resources.MemoryReservation ?? merged.MemoryReservation;
            merged.Cpus = resources.Cpus ?? merged.Cpus;
            merged.CpuShares = resources.CpuShares ?? merged.CpuShares;
            merged.CpusetCpus = resources.CpusetCpus ?? merged.CpusetCpus;
            merged.CpusetMems = resources.CpusetMems ?? merged.CpusetMems;
            merged.PidsLimit = resources.PidsLimit ?? merged.PidsLimit;
            merged.BlkioWeight = resources.BlkioWeight ?? merged.BlkioWeight;
            var bundleConfig = Path.Combine(Paths.BundleDir(id), SpecLoader.ConfigFileName);
            var spec = JsonSerializer.Deserialize(File.ReadAllText(bundleConfig), SpecJsonContext.Default.Spec)!;
            spec.Linux ??= new Linux();
            spec.Linux.Resources ??= new LinuxResources();
            ContainerSpecBuilder.ApplyResources(spec.Linux.Resources, merged);
            AtomicFile.WriteAllText(bundleConfig, JsonSerializer.Serialize(spec, SpecJsonContext.Default.Spec));
            Store.Save(record);
        }

        return Get(id);
    }

    public IReadOnlyList<ContainerProcessInfo> Top(string idOrName)
    {
        var id = Store.Resolve(idOrName);
        RequireRunning(id, idOrName);
        IReadOnlyList<int> pids = [];
        RuntimeCall(id, () => pids = _runtime.Pids(id), "ContainerNotRunning");
        return pids.Select(ProcessReader.Read).Where(p => p is not null).Select(p => p!).ToList();
    }

    public ContainerStatistics Stats(string idOrName)
    {
        var id = Store.Resolve(idOrName);
        var info = RequireRunning(id, idOrName);
        Runtime.Cgroups.CgroupStats? first = null, second = null;
        var clock = Stopwatch.StartNew();
        RuntimeCall(id, () => first = _runtime.Stats(id), "ContainerNotRunning");
        Thread.Sleep(200);
        RuntimeCall(id, () => second = _runtime.Stats(id), "ContainerNotRunning");
        var elapsedNs = clock.Elapsed.TotalMilliseconds * 1_000_000;
        var hostMemory = ProcessReader.HostMemoryBytes();
        var limit = second!.MemoryLimit is { } l && l < hostMemory ? l : hostMemory;
        return new ContainerStatistics
        {
            Id = id,
            Name = info.Name,
            Time = DateTimeOffset.UtcNow,
            CpuPercent = elapsedNs <= 0 ? 0 : Math.Round(100.0 * (second.CpuUsageNanoseconds - Math.Min(first!.CpuUsageNanoseconds, second.CpuUsageNanoseconds)) / elapsedNs, 2),
            CpuTotalNanoseconds = second.CpuUsageNanoseconds,
            MemoryUsage = second.MemoryUsage,
            MemoryLimit = limit,
            PidsCurrent = second.PidsCurrent,
            PidsLimit = second.PidsLimit,
            BlockReadBytes = second.BlockIoReadBytes,
            BlockWriteBytes = second.BlockIoWriteBytes,
            OomKills = second.OomKillCount,
        };
    }

    public IReadOnlyList<ContainerChange> Diff(string idOrName)
    {
        var id = Store.Resolve(idOrName);
        var record = Store.Load(id);
        return LayerDiff.Compute(Paths.UpperDir(id), LayerDirs(record.Config));
    }

    public void CopyFrom(string idOrName, string containerPath, string hostPath)
    {
        var id = Store.Resolve(idOrName);
        InRootFileSystem(id, idOrName, containerPath, root => ContainerFiles.CopyOut(root, containerPath, hostPath));
    }

    public void CopyTo(string idOrName, string hostPath, string containerPath)
    {
        var id = Store.Resolve(idOrName);
        var config = Store.Load(id).Config;
        var copied = CopiedInPath(id, hostPath, containerPath);
        InRootFileSystem(id, idOrName, containerPath, root => ContainerFiles.CopyIn(root, hostPath, containerPath));
        ShiftCopiedIn(config, copied);
    }

    public void Export(string idOrName, Stream destination, CancellationToken cancellationToken = default)
    {
        var id = Store.Resolve(idOrName);
        var config = Store.Load(id).Config;
        InRootFileSystem(id, idOrName, null, root => ContainerFiles.Export(root, destination, config.UidMappings, config.GidMappings, cancellationToken));
    }
}
