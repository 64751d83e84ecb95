namespace PSContainers.Runtime.Monitor;

/// <summary>One client on a monitor's attach socket: its frame parser state and the output it has not taken yet.</summary>
internal sealed unsafe class AttachConnection : IDisposable
{
    /// <summary>A client that lets this much output pile up is dropped rather than the monitor growing without bound.</summary>
    public const int MaxBacklog = 4 * 1024 * 1024;

    private byte* _pending;
    private int _pendingCapacity;
    private int _pendingStart;
    private int _pendingEnd;

    public AttachConnection(int fd)
    {
        Fd = fd;
    }

    public int Fd { get; private set; }

    public bool Closed => Fd < 0;

    /// <summary>Header bytes of the frame being read (type, then the length).</summary>
    public byte[] Header { get; } = new byte[AttachProtocol.HeaderSize];

    public int HeaderRead { get; set; }

    /// <summary>Payload bytes of the current frame still to come.</summary>
    public int PayloadLeft { get; set; }

    /// <summary>A short control payload (a resize) collected here until complete.</summary>
    public byte[] Control { get; } = new byte[8];

    public int ControlRead { get; set; }

    public byte FrameType => Header[0];

    public bool HasPending => _pendingEnd > _pendingStart;

    /// <summary>Sends a frame at once if the socket takes it; what it does not take waits for POLLOUT. False when the client is gone.</summary>
    public bool Send(byte* frame, int length)
    {
        if (Closed)
        {
            return false;
        }

        if (HasPending)
        {
            return Queue(frame, length);
        }

        var sent = 0;
        while (sent < length)
        {
            var n = Libc.Send(Fd, frame + sent, length - sent, Libc.MSG_NOSIGNAL | Libc.MSG_DONTWAIT);
            if (n < 0)
            {
                var errno = Libc.LastErrno;
                if (errno == Errno.EINTR)
                {
                    continue;
                }

                if (errno == Errno.EAGAIN)
                {
                    return Queue(frame + sent, length - sent);
                }

                return false;
            }

            sent += (int)n;
        }

        return true;
    }

    /// <summary>Writes queued output; false when the client is gone.</summary>
    public bool Flush()
    {
        while (HasPending)
        {
            var n = Libc.Send(Fd, _pending + _pendingStart, _pendingEnd - _pendingStart, Libc.MSG_NOSIGNAL | Libc.MSG_DONTWAIT);
            if (n < 0)
            {
                var errno = Libc.LastErrno;
                if (errno == Errno.EINTR)
                {
                    continue;
                }

                return errno == Errno.EAGAIN;
            }

            _pendingStart += (int)n;
        }

        // The backlog is gone: its memory goes back too, the client may be idle for days.
        ReleasePending();
        return true;
    }

    private bool Queue(byte* data, int length)
    {
        var used = _pendingEnd - _pendingStart;
        if (used + length > MaxBacklog)
        {
            return false;
        }

        if (_pendingEnd + length > _pendingCapacity)
        {
            if (_pendingStart > 0)
            {
                Buffer.MemoryCopy(_pending + _pendingStart, _pending, used, used);
                _pendingStart = 0;
                _pendingEnd = used;
            }

            if (_pendingEnd + length > _pendingCapacity)
            {
                var capacity = Math.Max(_pendingEnd + length, Math.Max(32 * 1024, _pendingCapacity * 2));
                _pending = (byte*)NativeMemory.Realloc(_pending, (nuint)capacity);
                _pendingCapacity = capacity;
            }
        }

        Buffer.MemoryCopy(data, _pending + _pendingEnd, length, length);
        _pendingEnd += length;
        return true;
    }

    private void ReleasePending()
    {
        if (_pending != null)
        {
            NativeMemory.Free(_pending);
            _pending = null;
        }

        _pendingCapacity = _pendingStart = _pendingEnd = 0;
    }

    public void Dispose()
    {
        ReleasePending();
        if (Fd >= 0)
        {
            Libc.Close(Fd);
            Fd = -1;
        }
    }
}
