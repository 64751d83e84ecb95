using System.Buffers;
using System.Threading.Channels;

namespace PSContainers.Core.Images.Archive;

/// <summary>
/// Bytes handed from an async writer (a download) to a blocking reader on a thread of its own (a layer decoder),
/// through a bounded queue of pooled copies: a reader that falls behind slows the writer down.
/// </summary>
/// <remarks>
/// The writer calls <see cref="SendAsync"/> and finally <see cref="Complete"/>; the reader sees the end of the stream
/// after the last byte. A reader that gives up calls <see cref="Abort"/>: from then on sends are dropped instead of
/// waiting for room that would never come, so the writer can still finish its own work (a download still verifies its
/// blob digest).
/// </remarks>
internal sealed class ChunkPipe : ForwardReadStream
{
    private readonly Channel<(byte[] Buffer, int Length)> _queue;
    private readonly CancellationTokenSource _aborted = new();
    private byte[]? _current;
    private int _position;
    private int _length;

    public ChunkPipe(int capacity)
    {
        _queue = Channel.CreateBounded<(byte[], int)>(new BoundedChannelOptions(capacity)
        {
            // Abort drains the queue from another thread than the reader's.
            SingleReader = false, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public bool IsAborted => _aborted.IsCancellationRequested;

    /// <summary>Queues a copy of data; waits while the queue is full. Dropped once the reader aborted.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (data.IsEmpty || IsAborted)
        {
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(data.Length);
        data.CopyTo(buffer);
        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _aborted.Token);
        try
        {
            await _queue.Writer.WriteAsync((buffer, data.Length), both.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException && !cancellationToken.IsCancellationRequested)
        {
            // The reader gave up (or the pipe was completed by a clean-up): the bytes have nowhere to go.
            ArrayPool<byte>.Shared.Return(buffer);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>No more data: the reader gets the end of the stream once it has read what is queued.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>The reader stops: a blocked read ends with OperationCanceledException, later sends are dropped, queued buffers go back to the pool.</summary>
    public void Abort()
    {
        _aborted.Cancel();
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out var item))
        {
            ArrayPool<byte>.Shared.Return(item.Buffer);
        }
    }

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (_current is null || _position == _length)
        {
            if (_current is not null)
            {
                ArrayPool<byte>.Shared.Return(_current);
                _current = null;
            }

            _aborted.Token.ThrowIfCancellationRequested();
            if (_queue.Reader.TryRead(out var item))
            {
                (_current, _length, _position) = (item.Buffer, item.Length, 0);
                continue;
            }

            // This thread is the reader's own: blocking on the wait is what it is for.
            if (!_queue.Reader.WaitToReadAsync(_aborted.Token).AsTask().GetAwaiter().GetResult())
            {
                return 0;
            }
        }

        var n = Math.Min(buffer.Length, _length - _position);
        _current.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Abort();
            if (_current is not null)
            {
                ArrayPool<byte>.Shared.Return(_current);
                _current = null;
            }

            _aborted.Dispose();
        }

        base.Dispose(disposing);
    }
}
