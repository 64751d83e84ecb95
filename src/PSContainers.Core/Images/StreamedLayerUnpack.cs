using Microsoft.Extensions.Logging;
using PSContainers.Core.Images.Archive;
using PSContainers.Core.Images.Snapshots;

namespace PSContainers.Core.Images;

/// <summary>
/// One layer unpacked while its blob downloads: the download hands each run of bytes to <see cref="WriteAsync"/> as it
/// writes it to the content store, and threads of this layer's own decompress, hash (diffID) and write the files into
/// a temporary snapshot. The caller verifies the blob digest (its content writer hashes the same bytes), then
/// <see cref="CompleteAsync"/> checks the diffID and <see cref="Commit"/> renames the snapshot into place.
/// </summary>
/// <remarks>
/// The bytes must arrive once each and in order, as an append-only download writes them (a transfer resumed with
/// Range continues the same stream). A failed unpack keeps consuming nothing: later bytes are dropped, so the download
/// still completes and its digest check decides whether the blob or the layer was at fault. Dispose without Commit
/// deletes the temporary snapshot.
/// </remarks>
internal sealed class StreamedLayerUnpack : IDisposable
{
    // 16 queued runs of up to 128 KiB (the download's buffer): enough to ride out a slow write, little memory.
    private const int QueueDepth = 16;

    private readonly SnapshotStore _snapshots;
    private readonly LayerToUnpack _layer;
    private readonly ChunkPipe _pipe = new(QueueDepth);
    private readonly CancellationTokenSource _stop;
    private readonly string _temp;
    private readonly int _lockFd;
    private readonly Task<LayerUnpackResult> _worker;
    private long _consumed;
    private bool _disposed;

    internal StreamedLayerUnpack(SnapshotStore snapshots, LayerToUnpack layer, ILogger log, CancellationToken cancellationToken)
    {
        _snapshots = snapshots;
        _layer = layer;
        (_temp, _lockFd) = snapshots.BeginTemp();
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var target = Path.Combine(_temp, "fs");
        var consumed = new InlineProgress(n => Volatile.Write(ref _consumed, n));
        _worker = Task.Factory.StartNew(
            () => LayerUnpacker.Unpack(_pipe, target, layer.Blob, layer.DiffId, log, consumed, _stop.Token, hashBlob: false),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public LayerToUnpack Layer => _layer;

    /// <summary>Compressed bytes the unpacker has taken in so far.</summary>
    public long Consumed => Volatile.Read(ref _consumed);

    /// <summary>Hands the next bytes of the blob to the unpacker (copied: the caller may reuse its buffer); waits while it is behind.</summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) => _pipe.SendAsync(bytes, cancellationToken);

    /// <summary>Ends the input and waits for the unpack; throws what failed it (DiffIdMismatch, LayerUnsafe, LayerInvalid, ...).</summary>
    public async Task<LayerUnpackResult> CompleteAsync()
    {
        _pipe.Complete();
        return await _worker.ConfigureAwait(false);
    }

    /// <summary>Renames the finished snapshot into place under its chainID; false when another pull committed it first.</summary>
    public bool Commit(LayerUnpackResult result) => _snapshots.Commit(_temp, _layer.ChainId, new SnapshotInfo
    {
        ChainId = _layer.ChainId.ToString(), DiffId = result.DiffId.ToString(), Blob = _layer.Blob.ToString(), Size = result.Size, Entries = result.Entries,
        TarSize = result.TarBytes, Created = DateTimeOffset.UtcNow,
    });

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            // Stops an unpack still running (the download failed or was cancelled): the writer thread sees the
            // cancellation, the decoder thread the aborted pipe.
            _stop.Cancel();
            _pipe.Abort();
            try
            {
                _worker.Wait();
            }
            catch (AggregateException)
            {
                // Its failure was reported through CompleteAsync, or does not matter any more.
            }
        }
        finally
        {
            _snapshots.EndTemp(_temp, _lockFd);
            _pipe.Dispose();
            _stop.Dispose();
        }
    }

    /// <summary>Reports on the reporting thread: Progress&lt;T&gt; would post every report to the thread pool.</summary>
    private sealed class InlineProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
