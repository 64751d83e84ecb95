using System.Globalization;
using Microsoft.Extensions.Logging;
using PSContainers.Core.Build.Cache;
using PSContainers.Core.Build.Context;
using PSContainers.Core.Build.Ignore;
using PSContainers.Core.Build.Instructions;
using PSContainers.Core.Containers;
using PSContainers.Core.Images;
using PSContainers.Core.Images.Oci;

namespace PSContainers.Core.Build.Executor;

/// <summary>Builds one stage: its base, then each instruction, each looked up in the cache before it runs.</summary>
internal sealed partial class StageBuilder
{
    private static readonly List<string> DefaultShell = ["/bin/sh", "-c"];
    private readonly BuildSession _session;
    private readonly Stage _stage;
    private readonly string _label;
    private StageState _state = null!;
    private StageVariables _vars = null!;
    private bool _cmdSet;
    private string? _historyText;
    private int _stepInStage;
    private readonly int _stepsInStage;

    public StageBuilder(BuildSession session, Stage stage)
    {
        _session = session;
        _stage = stage;
        _label = session.StageCount > 1 ? $"[{stage.Index + 1}/{session.Model.Stages.Count}] " : "";
        _stepsInStage = stage.Instructions.Count + 1;
    }

    public StageState Build(CancellationToken cancellationToken)
    {
        var from = BuildArguments.ExpandFrom(_session.Model, _stage.From, _session.Globals);
        var fromStep = StepName(from.Original);
        _state = Base(from, cancellationToken);
        _session.Output(new BuildOutputLine(fromStep, fromStep, "builder"));
        _session.Step(fromStep, cached: true);
        _vars = _session.Arguments.BeginStage(_session.Model, _session.Globals, _state.Run.Env ?? []);

        // ONBUILD triggers of the base run first, as docker runs them, and are not inherited.
        if (_state.Run.OnBuild is { Count: > 0 } triggers)
        {
            _state.Run.OnBuild = null;
            foreach (var trigger in triggers)
            {
                var parsed = DockerfileModel.Parse("FROM scratch\n" + trigger, "ONBUILD").Stages[0].Instructions;
                foreach (var instruction in parsed)
                {
                    Execute(instruction, StepName("ONBUILD " + trigger), cancellationToken);
                }
            }
        }

        foreach (var instruction in _stage.Instructions)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Execute(instruction, StepName(instruction.Original), cancellationToken);
        }

        return _state;
    }

    private string StepName(string text)
    {
        _stepInStage++;
        return $"{_label}STEP {_stepInStage}/{_stepsInStage}: {text}";
    }

    private StageState Base(FromInstruction from, CancellationToken cancellationToken)
    {
        if (from.Platform is { Length: > 0 } platform && !IsHostPlatform(platform))
        {
            throw new ContainerEngineException("PlatformNotSupported",
                $"FROM --platform={platform}: only this machine's platform ({PlatformSpec.Default}) can be built; emulation is not available.", ContainerErrorKind.InvalidArgument, platform);
        }

        if (string.Equals(from.Image, "scratch", StringComparison.OrdinalIgnoreCase))
        {
            return new StageState
            {
                Config = new ImageConfig
                {
                    Architecture = PlatformSpec.Default.Architecture, Os = "linux", Variant = PlatformSpec.Default.Variant,
                    // As docker and podman: an image from scratch gets the default PATH.
                    Config = new ImageRunConfig { Env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] }, RootFs = new ImageRootFs(), History = [],
                },
                Layers = [],
                Key = "scratch",
            };
        }

        if (_session.Model.FindStage(from.Image) is { } earlier && earlier.Index < _stage.Index)
        {
            var state = _session.AwaitStage(earlier.Index).Clone();
            return state;
        }

        var image = ResolveImage(from.Image, cancellationToken);
        var diffIds = image.Config.RootFs.DiffIds;
        var chain = SnapshotStoreChain(diffIds);
        var layers = new List<BuildLayer>();
        for (var i = 0; i < diffIds.Count; i++)
        {
            var descriptor = image.Manifest.Layers[i];
            layers.Add(new BuildLayer { DiffId = diffIds[i], ChainId = chain[i], Blob = descriptor.Digest, MediaType = descriptor.MediaType, BlobSize = descriptor.Size });
        }

        var config = ImageStateCopy(image.Config);
        config.History ??= [];
        return new StageState { Config = config, Layers = layers, Key = "image " + image.Record.Config };
    }

    private static List<string> SnapshotStoreChain(IReadOnlyList<string> diffIds) =>
        Images.Snapshots.SnapshotStore.ChainIds(diffIds.Select(Digest.Parse)).Select(c => c.ToString()).ToList();

    private static ImageConfig ImageStateCopy(ImageConfig config) =>
        new StageState { Config = config, Layers = [], Key = "" }.Clone().Config;

    /// <summary>A base image from the store, or pulled when it is missing (or -Pull); its layers unpacked.</summary>
    internal ResolvedImage ResolveImage(string reference, CancellationToken cancellationToken)
    {
        return _session.BaseImages.GetOrAdd(reference, r =>
        {
            var images = _session.Images;
            var stored = _session.Request.Pull ? null : images.TryResolve(r);
            if (stored is null)
            {
                _session.Output(new BuildOutputLine(r, $"Pulling {r}", "builder"));
                var registry = new Registry.RegistryService(images, logger: _session.Log);
                var credential = _session.Request.RegistryCredentials.GetValueOrDefault(ImageReference.Parse(r).Domain);
                var pulled = registry.PullAsync(r, credential: credential, cancellationToken: cancellationToken).GetAwaiter().GetResult();
                stored = images.Resolve(pulled.Id);
            }

            images.EnsureUnpacked(stored.Manifest, stored.Config, null, cancellationToken);
            return stored;
        });
    }

    private static bool IsHostPlatform(string platform)
    {
        var spec = PlatformSpec.Parse(platform);
        var host = PlatformSpec.Default;
        return spec.Os == host.Os && spec.Architecture == host.Architecture && (spec.Variant is null || spec.Variant == host.Variant);
    }

    private void Execute(Instruction instruction, string step, CancellationToken cancellationToken)
    {
        _session.Output(new BuildOutputLine(step, step, "builder"));
        // History shows the instruction as written (podman's created_by), unexpanded; cache keys use the expanded text.
        _historyText = instruction.Original.Trim();
        switch (instruction)
        {
            case ArgInstruction arg:
                _vars.Apply(arg);
                // podman records every ARG of the stage that has a value so far, by name in order.
                _historyText = "ARG " + string.Join(' ', _vars.CacheKeyArgs.Select(a => a[..a.IndexOf('=')]).Order(StringComparer.Ordinal));
                Metadata(step, "ARG " + string.Join(' ', arg.Args.Select(a => a.Name)), _ => { });
                break;
            case EnvInstruction env:
                var expandedEnv = (EnvInstruction)_vars.Expand(env);
                _vars.Apply(env);
                Metadata(step, "ENV " + string.Join(' ', expandedEnv.Pairs.Select(p => $"{p.Key}={p.Value}")), run =>
                {
                    // A variable set again moves to the end of Env, as podman writes it.
                    run.Env ??= [];
                    foreach (var pair in expandedEnv.Pairs)
                    {
                        run.Env.RemoveAll(e => e == pair.Key || e.StartsWith(pair.Key + "=", StringComparison.Ordinal));
                        run.Env.Add($"{pair.Key}={pair.Value}");
                    }
                });
                break;
            case LabelInstruction label:
                var labels = ((LabelInstruction)_vars.Expand(label)).Pairs;
                Metadata(step, "LABEL " + string.Join(' ', labels.Select(p => $"{p.Key}={p.Value}")), run =>
                {
                    run.Labels ??= [];
                    foreach (var pair in labels)
                    {
                        run.Labels[pair.Key] = pair.Value;
                    }
                });
                break;
            case ExposeInstruction expose:
                var ports = ((ExposeInstruction)_vars.Expand(expose)).Ports;
                Metadata(step, "EXPOSE " + string.Join(' ', ports), run =>
                {
                    run.ExposedPorts ??= [];
                    foreach (var port in ports)
                    {
                        run.ExposedPorts[NormalizePort(port, step)] = new EmptyObject();
                    }
                });
                break;
            case WorkdirInstruction workdir:
                var dir = ((WorkdirInstruction)_vars.Expand(workdir)).Path;
                Metadata(step, "WORKDIR " + dir, run => run.WorkingDir = ResolveWorkdir(run.WorkingDir, dir));
                break;
            case UserInstruction user:
                var who = ((UserInstruction)_vars.Expand(user)).User;
                Metadata(step, "USER " + who, run => run.User = who);
                break;
            case VolumeInstruction volume:
                var paths = ((VolumeInstruction)_vars.Expand(volume)).Paths;
                Metadata(step, "VOLUME " + (paths.Count == 1 ? paths[0] : "[" + string.Join(", ", paths.Select(Quote)) + "]"), run =>
                {
                    run.Volumes ??= [];
                    foreach (var path in paths)
                    {
                        if (path.Length == 0)
                        {
                            throw new ContainerEngineException("BuildInvalidInstruction", $"{step}: VOLUME specified can not be an empty string.", ContainerErrorKind.InvalidArgument, step);
                        }

                        run.Volumes[path] = new EmptyObject();
                    }
                });
                break;
            case StopSignalInstruction stop:
                var signal = ((StopSignalInstruction)_vars.Expand(stop)).Signal;
                SignalNames.Parse(signal);
                Metadata(step, "STOPSIGNAL " + signal, run => run.StopSignal = signal);
                break;
            case CmdInstruction cmd:
                var cmdLine = cmd.PrependShell ? Shell().Concat(cmd.Command).ToList() : cmd.Command.ToList();
                _cmdSet = true;
                Metadata(step, "CMD " + (cmd.PrependShell ? cmd.Command[0] : JsonList(cmd.Command)), run => run.Cmd = cmdLine);
                break;
            case EntrypointInstruction entrypoint:
                var entryLine = entrypoint.PrependShell ? Shell().Concat(entrypoint.Command).ToList() : entrypoint.Command.ToList();
                Metadata(step, "ENTRYPOINT " + (entrypoint.PrependShell ? entrypoint.Command[0] : JsonList(entrypoint.Command)), run =>
                {
                    run.Entrypoint = entryLine;
                    // As docker: an ENTRYPOINT drops the CMD inherited from the base, not one this stage set.
                    if (!_cmdSet)
                    {
                        run.Cmd = null;
                    }
                });
                break;
            case ShellInstruction shell:
                Metadata(step, "SHELL " + JsonList(shell.Shell), run => run.Shell = shell.Shell.ToList());
                break;
            case HealthcheckInstruction health:
                Metadata(step, HealthcheckText(health), run => run.Healthcheck = new ImageHealthcheck
                {
                    Test = health.Test.ToList(),
                    Interval = Nanoseconds(health.Interval),
                    Timeout = Nanoseconds(health.Timeout),
                    StartPeriod = Nanoseconds(health.StartPeriod),
                    StartInterval = Nanoseconds(health.StartInterval),
                    Retries = health.Retries ?? 0,
                });
                break;
            case OnBuildInstruction onBuild:
                Metadata(step, "ONBUILD " + onBuild.Expression, run => (run.OnBuild ??= []).Add(onBuild.Expression));
                break;
            case MaintainerInstruction maintainer:
                Metadata(step, "MAINTAINER " + maintainer.Author, _ => _state.Config.Author = maintainer.Author);
                break;
            case RunInstruction run:
                Run(run, step, cancellationToken);
                break;
            case CopyInstruction copy:
                Copy((CopyInstruction)_vars.Expand(copy), null, copy.Destination, step, cancellationToken);
                break;
            case AddInstruction add:
                Copy(null, (AddInstruction)_vars.Expand(add), add.Destination, step, cancellationToken);
                break;
            case FromInstruction:
                throw new ContainerEngineException("BuildInvalidInstruction", $"{step}: FROM cannot be an ONBUILD trigger.", ContainerErrorKind.InvalidArgument, step);
            default:
                throw new ContainerEngineException("BuildInvalidInstruction", $"{step}: {instruction.Keyword} is not supported by the builder.", ContainerErrorKind.InvalidArgument, step);
        }
    }

    private List<string> Shell() => _state.Run.Shell is { Count: > 0 } shell ? shell : DefaultShell;

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string JsonList(IEnumerable<string> items) => "[" + string.Join(", ", items.Select(Quote)) + "]";

    private static long Nanoseconds(TimeSpan? span) => span is { } s ? s.Ticks * 100 : 0;

    private static string HealthcheckText(HealthcheckInstruction health)
    {
        if (health.Test is ["NONE"])
        {
            return "HEALTHCHECK NONE";
        }

        var text = "HEALTHCHECK";
        text += health.Interval is { } i ? " --interval=" + Duration(i) : "";
        text += health.Timeout is { } t ? " --timeout=" + Duration(t) : "";
        text += health.StartPeriod is { } p ? " --start-period=" + Duration(p) : "";
        text += health.StartInterval is { } si ? " --start-interval=" + Duration(si) : "";
        text += health.Retries is { } r ? " --retries=" + r.ToString(CultureInfo.InvariantCulture) : "";
        return text + (health.Test[0] == "CMD-SHELL" ? " CMD " + health.Test[1] : " CMD " + JsonList(health.Test.Skip(1)));
    }

    private static string Duration(TimeSpan span) =>
        span.TotalSeconds == Math.Floor(span.TotalSeconds) ? span.TotalSeconds.ToString(CultureInfo.InvariantCulture) + "s" : span.TotalMilliseconds.ToString(CultureInfo.InvariantCulture) + "ms";

    private static string NormalizePort(string port, string step)
    {
        var (number, protocol) = port.IndexOf('/') is var slash and > 0 ? (port[..slash], port[(slash + 1)..].ToLowerInvariant()) : (port, "tcp");
        var range = number.Split('-');
        if (range.Length > 2 || range.Any(p => !ushort.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _)) || protocol is not ("tcp" or "udp" or "sctp"))
        {
            throw new ContainerEngineException("BuildInvalidInstruction", $"{step}: invalid port \"{port}\" (PORT[/tcp|udp|sctp] or a range START-END).", ContainerErrorKind.InvalidArgument, port);
        }

        return number + "/" + protocol;
    }

    private static string ResolveWorkdir(string? current, string dir)
    {
        var combined = dir.StartsWith('/') ? dir : (string.IsNullOrEmpty(current) ? "/" : current).TrimEnd('/') + "/" + dir;
        var parts = new List<string>();
        foreach (var part in combined.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
            }
            else if (part != ".")
            {
                parts.Add(part);
            }
        }

        return "/" + string.Join('/', parts);
    }

    /// <summary>A step that changes only the config: cached like any step so a rebuild reproduces the same history (and image id).</summary>
    private void Metadata(string step, string createdBy, Action<ImageRunConfig> apply)
    {
        var key = BuildCache.Key(_state.Key, createdBy, [], null);
        if (TryCached(key, step))
        {
            // The variables and SHELL/CMD tracking were applied above; the cached config carries the rest.
            return;
        }

        var next = _state.Clone();
        var previous = _state;
        _state = next;
        try
        {
            apply(next.Run);
        }
        catch
        {
            _state = previous;
            throw;
        }

        AddHistory(next, "/bin/sh -c #(nop) " + (_historyText ?? createdBy), emptyLayer: true);
        Store(next, key, createdBy, 0);
        _session.Step(step, cached: false);
    }

    private bool TryCached(string key, string step)
    {
        if (_session.Request.NoCache || _session.Cache.TryGet(key) is not { } entry || !LayersPresent(entry))
        {
            return false;
        }

        _session.Cache.Touch(key);
        _state = new StageState { Config = entry.Config, Layers = entry.Layers, Key = key };
        _session.Output(new BuildOutputLine(step, "--> Using cache " + key[..12], "builder"));
        _session.Step(step, cached: true);
        return true;
    }

    private bool LayersPresent(BuildCacheEntry entry) => entry.Layers.All(l =>
        Digest.TryParse(l.ChainId, out var chain) && _session.Images.Snapshots.Exists(chain) && Digest.TryParse(l.Blob, out var blob) && _session.Images.Content.Exists(blob));

    private static void AddHistory(StageState state, string createdBy, bool emptyLayer)
    {
        var now = DateTimeOffset.UtcNow;
        (state.Config.History ??= []).Add(new ImageHistoryEntry { Created = now, CreatedBy = createdBy, EmptyLayer = emptyLayer });
        state.Config.Created = now;
    }

    private void Store(StageState next, string key, string createdBy, long layerSize)
    {
        next.Key = key;
        _session.Cache.Put(new BuildCacheEntry
        {
            Key = key, CreatedBy = createdBy, Created = DateTimeOffset.UtcNow, LastUsed = DateTimeOffset.UtcNow, Config = next.Config, Layers = next.Layers, LayerSize = layerSize,
        });
    }

    /// <summary>Commits a temporary snapshot as the stage's next layer and records the step.</summary>
    private void CommitLayer(string temp, int lockFd, string key, string createdBy, string step, CancellationToken cancellationToken)
    {
        var next = _state.Clone();
        try
        {
            var (layer, size) = LayerCommitter.Commit(_session.Images, temp, next.Layers.LastOrDefault(), cancellationToken);
            next.Layers.Add(layer);
            next.Config.RootFs.DiffIds.Add(layer.DiffId);
            AddHistory(next, createdBy, emptyLayer: false);
            Store(next, key, createdBy, size);
            _state = next;
        }
        finally
        {
            _session.Images.Snapshots.EndTemp(temp, lockFd);
        }

        _session.Output(new BuildOutputLine(step, "--> " + key[..12], "builder"));
        _session.Step(step, cached: false);
    }

    internal static IgnoreMatcher? ExcludeMatcher(IReadOnlyList<string> patterns) => patterns.Count == 0 ? null : new IgnoreMatcher(patterns);

    internal static SourceTree Tree(string root) => new(root, null, isContext: false);
}
