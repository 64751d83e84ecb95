using System.Collections.Concurrent;
using System.Threading.Channels;
using PSContainers.Core.Containers;

namespace PSContainers.Api.Runs;

/// <summary>
/// The runs this service holds an attachment to, the attach clients waiting for a container to start, and the
/// last exit of each container it saw end (for waits that arrive after an auto-removed container is gone).
/// </summary>
internal sealed class ContainerRuns(ILogger<ContainerRuns> log)
{
    private readonly ConcurrentDictionary<string, ContainerRun> _runs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ContainerExitInfo> _lastExit = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, List<Channel<OutputChunk>>> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _started = new(StringComparer.Ordinal);

    public ContainerRun? Find(string id) => _runs.TryGetValue(id, out var run) ? run : null;

    public ContainerExitInfo? LastExit(string id) => _lastExit.TryGetValue(id, out var exit) ? exit : null;

    /// <summary>
    /// Starts the container. When an attach client or a wait is already there for it (docker run sends both before
    /// start) this service attaches from its first output, so no output and no exit is missed; otherwise (docker run
    /// -d, docker start) the container starts as the cmdlets start it, with nothing of this service tied to it.
    /// </summary>
    public ContainerRun? Start(IContainerService engine, string id, CancellationToken cancellationToken)
    {
        if (!_pending.ContainsKey(id) && !_started.ContainsKey(id))
        {
            engine.Start(id, cancellationToken);
            return null;
        }

        var attachment = engine.StartAttached(id, cancellationToken);
        return Track(id, attachment);
    }

    /// <summary>Attaches to a container that runs already (started by a cmdlet, or before this service started).</summary>
    public ContainerRun AttachRunning(IContainerService engine, string id)
    {
        if (Find(id) is { } existing)
        {
            return existing;
        }

        return Track(id, engine.Attach(id));
    }

    /// <summary>An output reader for a container that has not started yet; the run that starts it adopts the reader.</summary>
    public Channel<OutputChunk> SubscribeBeforeStart(string id)
    {
        var channel = Channel.CreateUnbounded<OutputChunk>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var list = _pending.GetOrAdd(id, _ => []);
        lock (list)
        {
            list.Add(channel);
        }

        return channel;
    }

    public void CancelPending(string id, Channel<OutputChunk> channel)
    {
        if (_pending.TryGetValue(id, out var list))
        {
            lock (list)
            {
                list.Remove(channel);
            }
        }
    }

    /// <summary>Says a wait is coming for the container's next run, so its start attaches (called before the wait answers).</summary>
    public void Expect(string id) => _started.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Completes when a run of the container begins here, or after the timeout (the caller then looks at the engine).</summary>
    public Task WaitForStart(string id, TimeSpan timeout, CancellationToken cancellationToken) =>
        _started.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task
            .WaitAsync(timeout, cancellationToken).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private ContainerRun Track(string id, ContainerAttachment attachment)
    {
        var run = new ContainerRun(id, attachment);
        if (_pending.TryRemove(id, out var waiting))
        {
            lock (waiting)
            {
                foreach (var channel in waiting)
                {
                    run.Adopt(channel);
                }
            }
        }

        _runs[id] = run;
        _lastExit.TryRemove(id, out _);
        if (_started.TryRemove(id, out var started))
        {
            started.TrySetResult();
        }

        var thread = new Thread(() =>
        {
            try
            {
                run.Pump();
            }
            catch (Exception e)
            {
                log.LogWarning(e, "attachment of {Id} failed", id);
            }
            finally
            {
                if (run.Exited.IsCompletedSuccessfully)
                {
                    _lastExit[id] = run.Exited.Result;
                }

                _runs.TryRemove(new KeyValuePair<string, ContainerRun>(id, run));
            }
        })
        {
            IsBackground = true,
            Name = "run " + id[..Math.Min(12, id.Length)],
        };
        thread.Start();
        return run;
    }
}
