using System.Diagnostics;
using PSContainers.Runtime.Cgroups;

namespace PSContainers.Runtime.Container;

/// <summary>Stats samples and OOM-kill events of one container, read from its cgroup.</summary>
public sealed class ContainerEventSource
{
    /// <summary>How often the OOM-kill counter is read while watching.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly LinuxContainerRuntime _runtime;

    public ContainerEventSource(LinuxContainerRuntime runtime)
    {
        _runtime = runtime;
    }

    /// <summary>One stats event for the container; throws ContainerNotFoundException for an unknown id.</summary>
    public ContainerEvent Stats(string id)
    {
        var record = _runtime.Store.Load(id);
        return StatsEvent(record.Id, _runtime.CgroupOf(record));
    }

    /// <summary>
    /// A stats event every interval and an "oom" event whenever the cgroup's OOM-kill count grows,
    /// until the container stops, is deleted, or the token is cancelled. OOM kills that happened
    /// before the watch began are not reported (state shows them).
    /// </summary>
    public IEnumerable<ContainerEvent> Watch(string id, TimeSpan interval, CancellationToken cancellationToken = default)
    {
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"the interval must be positive, not {interval}", nameof(interval));
        }

        var record = _runtime.Store.Load(id);
        var cgroup = _runtime.CgroupOf(record);
        ulong oomSeen = cgroup.OomKillCount;
        long nextStats = Stopwatch.GetTimestamp() + (long)(interval.TotalSeconds * Stopwatch.Frequency);

        while (!cancellationToken.IsCancellationRequested)
        {
            // Read the counter before the status: the kernel counts the kill before the victim is gone,
            // so the kill that stops the container is still reported.
            ulong oom = cgroup.OomKillCount;
            if (oom > oomSeen)
            {
                oomSeen = oom;
                yield return new ContainerEvent { Type = ContainerEvent.OomType, Id = record.Id };
            }

            if (!IsRunning(record.Id))
            {
                yield break;
            }

            if (Stopwatch.GetTimestamp() >= nextStats)
            {
                yield return StatsEvent(record.Id, cgroup);
                nextStats = Stopwatch.GetTimestamp() + (long)(interval.TotalSeconds * Stopwatch.Frequency);
            }

            cancellationToken.WaitHandle.WaitOne(PollInterval);
        }
    }

    // Deleted, or its init gone: nothing more will happen in the cgroup worth reporting.
    private bool IsRunning(string id)
    {
        try
        {
            return _runtime.StatusOf(_runtime.Store.Load(id)) != Spec.ContainerStatus.Stopped;
        }
        catch (ContainerException)
        {
            return false;
        }
    }

    private static ContainerEvent StatsEvent(string id, ICgroupManager cgroup) =>
        new() { Type = ContainerEvent.StatsType, Id = id, Data = ContainerStatsData.From(cgroup.GetStats()) };
}
