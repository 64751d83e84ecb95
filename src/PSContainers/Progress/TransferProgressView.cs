using System.Diagnostics;
using System.Management.Automation;
using PSContainers.Core.Images;
using PSContainers.Core.Registry;

namespace PSContainers.Progress;

/// <summary>
/// Collects transfer and unpack progress from worker threads and writes it as Write-Progress records (one per
/// layer under one overall record) when the pipeline thread asks; PowerShell takes progress only from that thread.
/// </summary>
internal sealed class TransferProgressView : IProgress<TransferProgress>, IProgress<ImageProgress>
{
    private static readonly TimeSpan RenderInterval = TimeSpan.FromMilliseconds(150);
    private static int _nextActivityId = 0x5C00;

    private readonly object _gate = new();
    private readonly Dictionary<string, Item> _items = new(StringComparer.Ordinal);
    private readonly string _activity;
    private readonly int _parentId = Interlocked.Increment(ref _nextActivityId);
    private readonly Stopwatch _sinceRender = new();
    private ImageProgress? _unpack;
    private int _unpackId;
    private bool _unpackDirty;

    public TransferProgressView(string activity) => _activity = activity;

    public void Report(TransferProgress value)
    {
        lock (_gate)
        {
            if (!_items.TryGetValue(value.Digest, out var item))
            {
                item = new Item(Interlocked.Increment(ref _nextActivityId));
                _items[value.Digest] = item;
            }

            item.Latest = value;
            item.Dirty = true;
        }
    }

    public void Report(ImageProgress value)
    {
        lock (_gate)
        {
            if (_unpackId == 0)
            {
                _unpackId = Interlocked.Increment(ref _nextActivityId);
            }

            _unpack = value;
            _unpackDirty = true;
        }
    }

    /// <summary>Writes what changed since the last call, at most every 150 ms unless final.</summary>
    public void Render(Cmdlet cmdlet, bool final = false)
    {
        if (!final && _sinceRender.IsRunning && _sinceRender.Elapsed < RenderInterval)
        {
            return;
        }

        _sinceRender.Restart();
        List<(int Id, TransferProgress Progress)> changed;
        long current, total;
        int done, count;
        ImageProgress? unpack;
        lock (_gate)
        {
            changed = _items.Values.Where(i => i.Dirty && i.Latest is not null).Select(i => (i.Id, i.Latest!)).ToList();
            foreach (var item in _items.Values)
            {
                item.Dirty = false;
            }

            current = _items.Values.Sum(i => i.Latest?.Current ?? 0);
            total = _items.Values.Sum(i => i.Latest?.Total ?? 0);
            done = _items.Values.Count(i => i.Latest is { } p && IsDone(p.State));
            count = _items.Count;
            unpack = _unpackDirty ? _unpack : null;
            _unpackDirty = false;
        }

        if (count > 0 && (changed.Count > 0 || final))
        {
            cmdlet.WriteProgress(new ProgressRecord(_parentId, _activity, $"{done} of {count} blobs, {Megabytes(current)} of {Megabytes(total)}")
            {
                PercentComplete = total > 0 ? (int)Math.Min(100, current * 100 / total) : -1,
                RecordType = final ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            });
        }

        foreach (var (id, progress) in changed)
        {
            var digest = progress.Digest;
            var shortDigest = digest[(digest.IndexOf(':') + 1)..][..Math.Min(12, digest.Length - digest.IndexOf(':') - 1)];
            cmdlet.WriteProgress(new ProgressRecord(id, $"{progress.State} {shortDigest}", $"{Megabytes(progress.Current)} of {Megabytes(progress.Total)}")
            {
                ParentActivityId = _parentId,
                PercentComplete = progress.Total > 0 ? (int)Math.Min(100, progress.Current * 100 / progress.Total) : -1,
                RecordType = IsDone(progress.State) || final ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            });
        }

        if (unpack is not null || (final && _unpackId != 0))
        {
            var u = unpack ?? _unpack!;
            cmdlet.WriteProgress(new ProgressRecord(_unpackId, u.Activity, $"{u.Item}: {Megabytes(u.Current)}{(u.Total is { } t ? " of " + Megabytes(t) : "")}")
            {
                ParentActivityId = _parentId,
                PercentComplete = u.Total is > 0 ? (int)Math.Min(100, u.Current * 100 / u.Total.Value) : -1,
                RecordType = final ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            });
        }
    }

    private static bool IsDone(TransferState state) => state is TransferState.Complete or TransferState.AlreadyExists or TransferState.Mounted;

    private static string Megabytes(long bytes) => $"{bytes / 1048576.0:N1} MB";

    private sealed class Item(int id)
    {
        public int Id { get; } = id;

        public TransferProgress? Latest { get; set; }

        public bool Dirty { get; set; }
    }
}
