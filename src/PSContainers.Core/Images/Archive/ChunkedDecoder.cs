using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Cryptography;

namespace PSContainers.Core.Images.Archive;

/// <summary>
/// Reads a layer blob on a thread of its own: hashes the compressed bytes, decompresses, hashes the tar, and hands
/// the tar over in full 1 MiB chunks, so the thread that writes files never waits on inflate or SHA-256.
/// </summary>
/// <remarks>
/// Chunks are filled completely (except the last), so 512-byte tar blocks never straddle two chunks. Both hashes
/// cover the whole stream, including what follows the tar's end-of-archive blocks.
/// </remarks>
internal sealed class ChunkedDecoder : IChunkSource, IDisposable
{
    public const int ChunkSize = 1 << 20;
    private const int Depth = 6;

    private readonly Stream _source;
    private readonly IncrementalHash? _compressedHash;
    private readonly IncrementalHash _tarHash;
    private readonly string? _compressedAlgorithm;
    private readonly string _tarAlgorithm;
    private readonly BlockingCollection<(byte[] Buffer, int Length)> _full = new(Depth);
    private readonly ConcurrentBag<byte[]> _free = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private Exception? _error;

    /// <param name="compressedAlgorithm">The blob digest's algorithm, or null when the caller hashes the blob itself (a pull's content writer does).</param>
    public ChunkedDecoder(Stream source, string? compressedAlgorithm, string tarAlgorithm)
    {
        _source = source;
        _compressedAlgorithm = compressedAlgorithm;
        _tarAlgorithm = tarAlgorithm;
        _compressedHash = compressedAlgorithm is null ? null : Digest.CreateHasher(compressedAlgorithm);
        _tarHash = Digest.CreateHasher(tarAlgorithm);
        _thread = new Thread(Produce) { IsBackground = true, Name = "layer decoder" };
        _thread.Start();
    }

    public LayerCompression Compression { get; private set; }

    public long CompressedBytes { get; private set; }

    public long TarBytes { get; private set; }

    public Digest? CompressedDigest { get; private set; }

    public Digest? TarDigest { get; private set; }

    /// <summary>The next chunk, or false at the end of the stream; rethrows what failed on the decoder thread.</summary>
    public bool TryTake(out byte[] buffer, out int length, CancellationToken cancellationToken)
    {
        foreach (var item in _full.GetConsumingEnumerable(cancellationToken))
        {
            buffer = item.Buffer;
            length = item.Length;
            return true;
        }

        _thread.Join();
        if (_error is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(_error).Throw();
        }

        buffer = [];
        length = 0;
        return false;
    }

    public void Return(byte[] buffer) => _free.Add(buffer);

    public static LayerCompression Detect(ReadOnlySpan<byte> head) => head switch
    {
        [0x1f, 0x8b, ..] => LayerCompression.Gzip,
        [0x28, 0xb5, 0x2f, 0xfd, ..] => LayerCompression.Zstd,
        _ => LayerCompression.None,
    };

    private void Produce()
    {
        try
        {
            using var hashing = new HashingReadStream(_source, _compressedHash, this);
            var head = new byte[4];
            var got = 0;
            while (got < head.Length)
            {
                var n = hashing.Read(head, got, head.Length - got);
                if (n == 0)
                {
                    break;
                }

                got += n;
            }

            Compression = Detect(head.AsSpan(0, got));
            using var prefixed = new PrefixedStream(head.AsSpan(0, got).ToArray(), hashing);
            using Stream tar = Compression switch
            {
                LayerCompression.Gzip => new GZipStream(prefixed, CompressionMode.Decompress, leaveOpen: true),
                LayerCompression.Zstd => new ZstdSharp.DecompressionStream(prefixed, ChunkSize, checkEndOfStream: true, leaveOpen: true),
                _ => prefixed,
            };
            while (!_stop.IsCancellationRequested)
            {
                if (!_free.TryTake(out var buffer))
                {
                    buffer = new byte[ChunkSize];
                }

                var filled = 0;
                while (filled < buffer.Length)
                {
                    var n = tar.Read(buffer, filled, buffer.Length - filled);
                    if (n == 0)
                    {
                        break;
                    }

                    filled += n;
                }

                if (filled == 0)
                {
                    break;
                }

                _tarHash.AppendData(buffer, 0, filled);
                TarBytes += filled;
                _full.Add((buffer, filled), _stop.Token);
                if (filled < buffer.Length)
                {
                    break;
                }
            }

            // Whatever the compressed stream holds after its end still counts for its digest.
            var rest = new byte[1 << 16];
            while (!_stop.IsCancellationRequested && hashing.Read(rest, 0, rest.Length) > 0)
            {
            }

            CompressedDigest = _compressedHash is null ? null : Digest.FromHash(_compressedAlgorithm!, _compressedHash.GetHashAndReset());
            TarDigest = Digest.FromHash(_tarAlgorithm, _tarHash.GetHashAndReset());
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _error = e;
        }
        finally
        {
            _full.CompleteAdding();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        // A pipe fed by a download may not end for a while: the decoder thread must not wait on it to stop.
        (_source as ChunkPipe)?.Abort();
        // Unblock a producer waiting for room, then wait for it to finish before the hashes go.
        while (_thread.IsAlive)
        {
            while (_full.TryTake(out _))
            {
            }

            _thread.Join(10);
        }

        _full.Dispose();
        _compressedHash?.Dispose();
        _tarHash.Dispose();
        _stop.Dispose();
    }

    internal void CountCompressed(int n) => CompressedBytes += n;

    /// <summary>Passes reads through, counts them and hashes them (when there is a hash).</summary>
    private sealed class HashingReadStream(Stream inner, IncrementalHash? hash, ChunkedDecoder owner) : ForwardReadStream
    {
        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer);
            hash?.AppendData(buffer[..n]);
            owner.CountCompressed(n);
            return n;
        }
    }

    /// <summary>The sniffed first bytes, then the rest of the stream.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream rest) : ForwardReadStream
    {
        private int _used;

        public override int Read(Span<byte> buffer)
        {
            if (_used < prefix.Length)
            {
                var n = Math.Min(buffer.Length, prefix.Length - _used);
                prefix.AsSpan(_used, n).CopyTo(buffer);
                _used += n;
                return n;
            }

            return rest.Read(buffer);
        }
    }
}
