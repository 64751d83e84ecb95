using System.Security.Cryptography;
using PSContainers.Core.Containers;
using PSContainers.Native;

namespace PSContainers.Core.Images.Content;

/// <summary>A blob being written: a temporary file hashed as it grows, renamed into the store only when its digest checks out.</summary>
public sealed class ContentWriter : Stream
{
    private const long WritebackStep = 8 << 20;

    private readonly ContentStore _store;
    private readonly IncrementalHash _hash;
    private readonly FileStream _file;
    private readonly string _algorithm;
    private long _length;
    private bool _done;
    private bool _sealed;
    private long _writebackStarted;
    private Digest? _verified;

    internal ContentWriter(ContentStore store, string tempPath, Digest? expected, long? expectedSize)
    {
        _store = store;
        TempPath = tempPath;
        Expected = expected;
        ExpectedSize = expectedSize;
        _algorithm = expected?.Algorithm ?? Digest.Sha256;
        _hash = Digest.CreateHasher(_algorithm);
        // FileShare.ReadWrite: .NET's own flock emulation stays out of the way of ours, which marks the file as live.
        _file = new FileStream(tempPath, new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.ReadWrite | FileShare.Delete, BufferSize = 0,
        });
        if (Libc.Flock((int)_file.SafeFileHandle.DangerousGetHandle(), Libc.LOCK_EX | Libc.LOCK_NB) != 0)
        {
            var errno = Libc.LastErrno;
            _file.Dispose();
            File.Delete(tempPath);
            throw new IOException($"flock {tempPath}: {Errno.Describe(errno)}");
        }

        // A cleaner may have taken the file for a dead writer's between its creation and our flock.
        if (!File.Exists(tempPath))
        {
            _file.Dispose();
            throw new IOException($"{tempPath} was removed before it could be locked.");
        }
    }

    internal string TempPath { get; }

    public Digest? Expected { get; }

    public long? ExpectedSize { get; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_done && !_sealed;

    /// <summary>Bytes written so far: where a resumed download continues.</summary>
    public override long Length => _length;

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_done || _sealed, this);
        _file.Write(buffer);
        _hash.AppendData(buffer);
        _length += buffer.Length;
        if (_length - _writebackStarted >= WritebackStep)
        {
            // Writeback starts as the blob grows, so the fsync before the commit waits for little (it is on the
            // pull's critical path); SYNC_FILE_RANGE_WRITE only queues the I/O. Best effort: Verify's fsync decides.
            LibcAt.SyncFileRange((int)_file.SafeFileHandle.DangerousGetHandle(), _writebackStarted, _length - _writebackStarted, LibcAt.SYNC_FILE_RANGE_WRITE);
            _writebackStarted = _length;
        }

        if (ExpectedSize is { } size && _length > size)
        {
            throw new ContainerEngineException("ContentSizeMismatch",
                $"The content for {Expected?.ToString() ?? "a blob"} is larger than the {size} bytes its descriptor declares.", ContainerErrorKind.OperationFailed, Expected?.ToString());
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    /// <summary>
    /// Checks digest and size against what was written and makes the bytes durable, without storing anything yet: a
    /// caller with more to check (a layer being unpacked from the same bytes) commits after that, and the fsync runs
    /// while it checks. No more bytes can be written afterwards.
    /// </summary>
    public Digest Verify()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        if (_verified is not null)
        {
            return _verified;
        }

        _sealed = true;
        var actual = Digest.FromHash(_algorithm, _hash.GetHashAndReset());
        if (ExpectedSize is { } size && size != _length)
        {
            throw new ContainerEngineException("ContentSizeMismatch",
                $"The content for {Expected?.ToString() ?? actual.ToString()} has {_length} bytes; its descriptor declares {size}. Nothing was stored.",
                ContainerErrorKind.OperationFailed, Expected?.ToString());
        }

        if (Expected is not null && actual != Expected)
        {
            throw new ContainerEngineException("DigestMismatch",
                $"The content does not match its digest: expected {Expected}, got {actual}. Nothing was stored; the source is corrupt or was tampered with.",
                ContainerErrorKind.OperationFailed, Expected.ToString());
        }

        _file.Flush(flushToDisk: true);
        _verified = actual;
        return actual;
    }

    /// <summary>Verifies digest and size, makes the bytes durable and moves them into the store; returns the digest.</summary>
    public Digest Commit()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        try
        {
            var actual = Verify();
            _done = true;
            // Published while the file is still open: closing it releases the flock, and a concurrent clean-up would
            // take the file for a dead writer's and delete it before the rename.
            _store.Publish(TempPath, actual);
            _file.Dispose();
            return actual;
        }
        finally
        {
            _done = true;
            Discard();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _done = true;
            Discard();
        }

        base.Dispose(disposing);
    }

    private void Discard()
    {
        _file.Dispose();
        _hash.Dispose();
        File.Delete(TempPath);
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
