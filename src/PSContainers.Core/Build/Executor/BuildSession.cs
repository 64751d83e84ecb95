using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using PSContainers.Core.Build.Cache;
using PSContainers.Core.Build.Context;
using PSContainers.Core.Build.Instructions;
using PSContainers.Core.Containers;
using PSContainers.Core.Images;

namespace PSContainers.Core.Build.Executor;

/// <summary>What every stage of one build shares: the engine services, the parsed Dockerfile, the context, the cache, the finished stages and the output sinks.</summary>
internal sealed class BuildSession
{
    private readonly ConcurrentDictionary<int, Task<StageState>> _stages = new();
    private readonly Lock _progressGate = new();
    private int _stepsDone;

    public required BuildRequest Request { get; init; }

    public required DockerfileModel Model { get; init; }

    public required IReadOnlyDictionary<string, string> Globals { get; init; }

    public required BuildArguments Arguments { get; init; }

    public required SourceTree Context { get; init; }

    public required ImageService Images { get; init; }

    public required ContainerService Containers { get; init; }

    public required BuildCache Cache { get; init; }

    public required ILogger Log { get; init; }

    public required Action<BuildOutputLine> Output { get; init; }

    public IProgress<BuildProgress>? Progress { get; init; }

    public required int TotalSteps { get; init; }

    public required int StageCount { get; init; }

    /// <summary>Base images resolved (and pulled) once per build.</summary>
    public ConcurrentDictionary<string, ResolvedImage> BaseImages { get; } = new(StringComparer.Ordinal);

    public void Register(int index, Task<StageState> task) => _stages[index] = task;

    /// <summary>The state a finished stage ended in (waits for it; it runs concurrently).</summary>
    public StageState AwaitStage(int index) => _stages.TryGetValue(index, out var task)
        ? task.GetAwaiter().GetResult()
        : throw new InvalidOperationException($"stage {index} is not part of this build");

    public void Step(string description, bool cached)
    {
        int done;
        lock (_progressGate)
        {
            done = ++_stepsDone;
        }

        Progress?.Report(new BuildProgress(done, TotalSteps, description, cached));
    }
}
