using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PSContainers.Core.Build.Cache;
using PSContainers.Core.Build.Context;
using PSContainers.Core.Build.Executor;
using PSContainers.Core.Build.Ignore;
using PSContainers.Core.Build.Instructions;
using PSContainers.Core.Build.Parser;
using PSContainers.Core.Containers;
using PSContainers.Core.Images;
using PSContainers.Core.Images.Archive;
using PSContainers.Core.Images.Oci;
using PSContainers.Core.State;

namespace PSContainers.Core.Build;

/// <summary>Dockerfile builds (Build-ContainerImage) and container commits (New-ContainerImage): the only Core entry points of the builder.</summary>
/// <remarks>
/// A build parses the Dockerfile, works out the stages the target needs, builds them concurrently (a stage waits only
/// for the stages it names), then stores the target's state as an image. Each step is looked up in the build cache
/// first; a fully cached build starts no container and writes no layer. A lease on the image store is held
/// throughout, so a concurrent prune cannot take layers that only this build references yet.
/// </remarks>
public sealed partial class BuildService
{
    private readonly ILogger _log;

    public BuildService(EnginePaths? paths = null, ILogger? logger = null)
    {
        Paths = paths ?? EnginePaths.FromEnvironment();
        _log = logger ?? NullLogger.Instance;
        Images = new ImageService(Paths, _log);
        Containers = new ContainerService(Paths, _log);
        Cache = new BuildCache(Paths);
    }

    public EnginePaths Paths { get; }

    public ImageService Images { get; }

    public ContainerService Containers { get; }

    public BuildCache Cache { get; }

    public ContainerImage Build(BuildRequest request, Action<BuildOutputLine> output, IProgress<BuildProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(output);
        if (request.ContextArchive is not { } archive)
        {
            return BuildFromDirectory(request, request.ContextDirectory, output, progress, cancellationToken);
        }

        // A context given as a tar (docker build - < ctx.tar, the Engine API's build): extracted under the run root for
        // this build only. The layer unpacker keeps every entry inside the directory (no .., no absolute paths, no
        // links followed out of it).
        var dir = Path.Combine(Paths.RunRoot, "build", "context-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            try
            {
                var decoded = ContextArchive.Open(archive);
                LayerUnpacker.Unpack(decoded, dir, null, null, _log, null, cancellationToken);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or ContainerEngineException)
            {
                throw new ContainerEngineException("BuildContextInvalid", $"The build context archive could not be read: {e.Message}", ContainerErrorKind.InvalidData, null, e);
            }

            return BuildFromDirectory(request, dir, output, progress, cancellationToken);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private ContainerImage BuildFromDirectory(BuildRequest request, string contextDirectory, Action<BuildOutputLine> output, IProgress<BuildProgress>? progress,
        CancellationToken cancellationToken)
    {
        if (request.Platform is { Length: > 0 } platform)
        {
            var spec = PlatformSpec.Parse(platform);
            var host = PlatformSpec.Default;
            if (spec.Os != host.Os || spec.Architecture != host.Architecture || (spec.Variant is not null && spec.Variant != host.Variant))
            {
                throw new ContainerEngineException("PlatformNotSupported",
                    $"-Platform {platform}: only this machine's platform ({host}) can be built; there is no emulation for other architectures.", ContainerErrorKind.InvalidArgument, platform);
            }
        }

        if (request.Network.StartsWith("container:", StringComparison.Ordinal))
        {
            throw new ContainerEngineException("BuildNetworkNotSupported",
                $"-Network {request.Network}: a build's RUN steps cannot share another container's network; use 'default', 'host', 'none' or a network's name.",
                ContainerErrorKind.InvalidArgument, request.Network);
        }

        if (request.Network is not ("default" or "" or "host" or "none"))
        {
            // A named network must exist before anything is built (NotFound names it).
            Containers.Networks.Get(request.Network);
        }

        foreach (var (id, source) in request.Secrets)
        {
            if (!File.Exists(source))
            {
                throw new ContainerEngineException("BuildSecretNotFound", $"-Secret id={id}: the file {source} does not exist.", ContainerErrorKind.NotFound, source);
            }
        }

        var contextDir = Path.GetFullPath(string.IsNullOrEmpty(contextDirectory) ? "." : contextDirectory);
        if (!Directory.Exists(contextDir))
        {
            throw new ContainerEngineException("BuildContextNotFound", $"The build context {contextDir} is not a directory.", ContainerErrorKind.NotFound, contextDir);
        }

        var (text, fileName, dockerfilePath) = ReadDockerfile(request, contextDir);
        DockerfileModel model;
        BuildArguments arguments;
        IReadOnlyDictionary<string, string> globals;
        Stage target;
        IReadOnlyList<Stage> stages;
        try
        {
            model = DockerfileModel.Parse(text, fileName);
            arguments = new BuildArguments(request.BuildArgs);
            globals = arguments.EvaluateGlobals(model);
            target = model.TargetStage(request.Target);
            stages = model.StagesNeededFor(request.Target, request.BuildArgs);
        }
        catch (DockerfileParseException e)
        {
            throw ParseError(e);
        }

        // The parser's warnings (empty continuation lines, MAINTAINER ...), as docker build prints them first.
        foreach (var warning in model.Warnings)
        {
            output(new BuildOutputLine("", warning, BuildOutputLine.WarningStream));
        }

        var context = new SourceTree(contextDir, LoadIgnore(contextDir, dockerfilePath), isContext: true);

        ContainerImage image;
        using (Images.AcquireLease(cancellationToken))
        {
            image = BuildStages(request, output, progress, model, arguments, globals, target, stages, context, fileName, cancellationToken);
        }

        if (request.OutputPath is { } outputPath)
        {
            using (var file = File.Create(outputPath))
            {
                Images.Export([image.Id], request.OutputFormat, file, null, cancellationToken);
            }

            // The archive is the result, not the store: the nameless record goes (its layers stay in the build
            // cache) unless another build stored the same image under a name. The lease is released first, so
            // the removal's sweep does not wait for this build.
            if (image.RepoTags.Count == 0)
            {
                Images.Remove(image.Id, force: false, cancellationToken);
            }

            output(new BuildOutputLine("", $"Wrote {outputPath}", "builder"));
        }

        return image;
    }

    private ContainerImage BuildStages(BuildRequest request, Action<BuildOutputLine> output, IProgress<BuildProgress>? progress, DockerfileModel model, BuildArguments arguments,
        IReadOnlyDictionary<string, string> globals, Stage target, IReadOnlyList<Stage> stages, SourceTree context, string fileName, CancellationToken cancellationToken)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var session = new BuildSession
        {
            Request = request, Model = model, Globals = globals, Arguments = arguments, Context = context, Images = Images, Containers = Containers, Cache = Cache,
            Log = _log, Output = output, Progress = progress, TotalSteps = stages.Sum(s => s.Instructions.Count + 1), StageCount = stages.Count,
        };

        // Every needed stage starts at once; a stage blocks only on the stages it names (FROM, COPY --from).
        var tasks = new List<Task<StageState>>();
        foreach (var stage in stages)
        {
            var task = new Task<StageState>(() =>
            {
                try
                {
                    return new StageBuilder(session, stage).Build(failed.Token);
                }
                catch
                {
                    // One failed stage stops the others.
                    failed.Cancel();
                    throw;
                }
            }, failed.Token, TaskCreationOptions.LongRunning);
            session.Register(stage.Index, task);
            tasks.Add(task);
        }

        foreach (var task in tasks)
        {
            task.Start();
        }

        try
        {
            Task.WaitAll(tasks.ToArray<Task>(), CancellationToken.None);
        }
        catch (AggregateException)
        {
            // The first real failure is the one to report: the others were cancelled because of it.
            var first = tasks.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault(e => e is not OperationCanceledException);
            cancellationToken.ThrowIfCancellationRequested();
            if (first is DockerfileParseException parse)
            {
                throw ParseError(parse);
            }

            if (first is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
            }

            throw;
        }

        foreach (var unused in arguments.Unconsumed)
        {
            output(new BuildOutputLine("", $"one or more build args were not consumed: {unused}", BuildOutputLine.WarningStream));
        }

        var state = session.AwaitStage(target.Index).Clone();
        if (request.Labels.Count > 0)
        {
            state.Run.Labels ??= [];
            foreach (var (name, value) in request.Labels)
            {
                state.Run.Labels[name] = value;
            }
        }

        if (state.Layers.Count == 0)
        {
            throw new ContainerEngineException("BuildEmptyImage", "The build made an image with no layers (FROM scratch and nothing copied); an image needs at least one layer.", ContainerErrorKind.InvalidArgument, fileName);
        }

        return Store(state, request.OutputPath is null ? request.Tags : [], cancellationToken);
    }

    private static ContainerEngineException ParseError(DockerfileParseException e) =>
        new("DockerfileParseError", e.Message, ContainerErrorKind.InvalidArgument, e.File, e);

    /// <summary>Writes an image config and manifest for a build state and records the image under the tags.</summary>
    internal ContainerImage Store(StageState state, IReadOnlyCollection<string> tags, CancellationToken cancellationToken)
    {
        var configBytes = JsonSerializer.SerializeToUtf8Bytes(state.Config, OciJsonContext.Default.ImageConfig);
        var configDigest = Images.Content.Ingest(configBytes);
        var manifest = new OciManifest
        {
            MediaType = MediaTypes.OciManifest,
            Config = new OciDescriptor { MediaType = MediaTypes.OciConfig, Digest = configDigest.ToString(), Size = configBytes.Length },
            Layers = state.Layers.Select(l => new OciDescriptor { MediaType = l.MediaType, Digest = l.Blob, Size = l.BlobSize }).ToList(),
        };
        var manifestDigest = Images.Content.Ingest(JsonSerializer.SerializeToUtf8Bytes(manifest, OciJsonContext.Default.OciManifest));
        return Images.Register(manifestDigest, tags, cancellationToken: cancellationToken);
    }

    private static (string Text, string FileName, string? Path) ReadDockerfile(BuildRequest request, string contextDir)
    {
        if (request.DockerfileText is { } text)
        {
            return (text, "Dockerfile", null);
        }

        var path = request.DockerfilePath is { Length: > 0 } given
            ? System.IO.Path.GetFullPath(given, contextDir)
            : System.IO.Path.Combine(contextDir, "Dockerfile");
        if (!File.Exists(path))
        {
            throw new ContainerEngineException("DockerfileNotFound",
                $"The Dockerfile {path} does not exist. Give its path with -File, or Dockerfile text on the pipeline.", ContainerErrorKind.NotFound, path);
        }

        return (File.ReadAllText(path), path, path);
    }

    private static IgnoreMatcher? LoadIgnore(string contextDir, string? dockerfilePath)
    {
        var candidates = dockerfilePath is null ? [System.IO.Path.Combine(contextDir, ".dockerignore")] : DockerIgnore.CandidatePaths(contextDir, dockerfilePath);
        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate))
            {
                return new IgnoreMatcher(DockerIgnore.ReadPatterns(File.ReadAllText(candidate)));
            }
        }

        return null;
    }
}
