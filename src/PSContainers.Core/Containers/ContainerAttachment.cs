using System.Buffers.Binary;
using System.Text;
using PSContainers.Native;
using PSContainers.Runtime.Monitor;

namespace PSContainers.Core.Containers;

/// <summary>A client of a container monitor's attach socket: the container's output as it is written, its stdin, its terminal size and its exit code.</summary>
/// <remarks>
/// Frames are read with blocking reads after poll says the socket is readable; a cancellation token wakes a
/// blocked reader through a pipe, so nothing here polls on a timer. The exit frame comes after all output of the
/// run it ends; restarts send exit frames marked as restarting, and the attachment ends at the final one (or when
/// the monitor goes away).
/// </remarks>
public sealed unsafe class ContainerAttachment : ITerminalSession
{
    private const int MaxLine = 16 * 1024;

    private readonly byte[] _header = new byte[AttachProtocol.HeaderSize];
    private readonly byte[] _payload = new byte[AttachProtocol.MaxPayload];
    private readonly MemoryStream[] _partial = { new(), new() };
    private readonly Lock _sendGate = new();
    private int _fd;
    private bool _ended;

    public ContainerAttachment(int fd, string containerId)
    {
        _fd = fd;
        ContainerId = containerId;
    }

    public string ContainerId { get; }

    public int OutputFd => _fd;

    public int? ExitCode { get; private set; }

    public bool OomKilled { get; private set; }

    /// <summary>True once the final exit frame or the end of the socket arrived.</summary>
    public bool Ended => _ended;

    /// <summary>The container's output as lines (a line longer than 16 KiB comes in pieces), until its final exit or cancellation.</summary>
    public IEnumerable<ContainerLogEntry> ReadLines(CancellationToken cancellationToken)
    {
        var lines = new List<ContainerLogEntry>();
        while (!_ended)
        {
            if (!WaitReadable(cancellationToken))
            {
                yield break;
            }

            lines.Clear();
            ReadFrame((type, data) => SplitLines(type, data, lines));
            foreach (var line in lines)
            {
                yield return line;
            }
        }

        lines.Clear();
        for (var stream = 0; stream < 2; stream++)
        {
            if (_partial[stream].Length > 0)
            {
                lines.Add(Entry(stream, _partial[stream].ToArray()));
                _partial[stream].SetLength(0);
            }
        }

        foreach (var line in lines)
        {
            yield return line;
        }
    }

    public bool ReadOutput(Action<ReadOnlySpan<byte>> write)
    {
        if (!_ended)
        {
            ReadFrame((_, data) => write(data));
        }

        return !_ended;
    }

    /// <summary>As ReadOutput, with the stream each chunk came on (0 stdout, 1 stderr) for clients that keep them apart (the Docker API's frames).</summary>
    public bool ReadOutput(Action<int, ReadOnlySpan<byte>> write)
    {
        if (!_ended)
        {
            ReadFrame((stream, data) => write(stream, data));
        }

        return !_ended;
    }

    public void WriteInput(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var chunk = bytes[..Math.Min(bytes.Length, AttachProtocol.MaxPayload)];
            Send(AttachProtocol.Stdin, chunk);
            bytes = bytes[chunk.Length..];
        }
    }

    public void EndInput() => Send(AttachProtocol.CloseStdin, ReadOnlySpan<byte>.Empty);

    /// <summary>Sends what fd delivers as the container's stdin until its end of file (then closes the container's stdin) or cancellation.</summary>
    public void PumpInput(int fd, CancellationToken cancellationToken)
    {
        using var wake = new WakePipe(cancellationToken);
        var buffer = new byte[16 * 1024];
        var pfds = stackalloc PollFd[2];
        while (!cancellationToken.IsCancellationRequested && !_ended)
        {
            pfds[0] = new PollFd { Fd = fd, Events = Consts.POLLIN };
            pfds[1] = new PollFd { Fd = wake.ReadFd, Events = Consts.POLLIN };
            if (Libc.Poll(pfds, 2, -1) <= 0 || pfds[0].REvents == 0)
            {
                continue;
            }

            nint n;
            fixed (byte* p = buffer)
            {
                n = Libc.Read(fd, p, buffer.Length);
            }

            if (n < 0 && Libc.LastErrno is Errno.EINTR or Errno.EAGAIN)
            {
                continue;
            }

            if (n <= 0)
            {
                EndInput();
                return;
            }

            WriteInput(buffer.AsSpan(0, (int)n));
        }
    }

    public void Resize(ushort rows, ushort columns)
    {
        Span<byte> size = stackalloc byte[AttachProtocol.ResizePayloadSize];
        BinaryPrimitives.WriteUInt16LittleEndian(size, rows);
        BinaryPrimitives.WriteUInt16LittleEndian(size[2..], columns);
        Send(AttachProtocol.Resize, size);
    }

    /// <summary>Blocks until the socket is readable; false when cancelled.</summary>
    private bool WaitReadable(CancellationToken cancellationToken)
    {
        using var wake = new WakePipe(cancellationToken);
        var pfds = stackalloc PollFd[2];
        while (true)
        {
            pfds[0] = new PollFd { Fd = _fd, Events = Consts.POLLIN };
            pfds[1] = new PollFd { Fd = wake.ReadFd, Events = Consts.POLLIN };
            var n = Libc.Poll(pfds, 2, -1);
            if (cancellationToken.IsCancellationRequested)
            {
                return false;
            }

            if (n > 0 && pfds[0].REvents != 0)
            {
                return true;
            }
        }
    }

    /// <summary>Reads one whole frame (blocking) and hands output to sink; exit frames and the end of the socket update the state.</summary>
    private void ReadFrame(Action<int, ReadOnlySpan<byte>> sink)
    {
        if (!ReadExactly(_header))
        {
            _ended = true;
            return;
        }

        var type = _header[0];
        var length = BinaryPrimitives.ReadInt32LittleEndian(_header.AsSpan(1));
        if (length is < 0 or > AttachProtocol.MaxPayload || !ReadExactly(_payload.AsSpan(0, length)))
        {
            _ended = true;
            return;
        }

        var data = _payload.AsSpan(0, length);
        switch (type)
        {
            case AttachProtocol.Stdout:
                sink(0, data);
                break;
            case AttachProtocol.Stderr:
                sink(1, data);
                break;
            case AttachProtocol.Exit when length >= AttachProtocol.ExitPayloadSize:
                var flags = data[4];
                OomKilled = (flags & AttachProtocol.ExitOomKilled) != 0;
                if ((flags & AttachProtocol.ExitRestarting) == 0)
                {
                    ExitCode = BinaryPrimitives.ReadInt32LittleEndian(data);
                    _ended = true;
                }

                break;
        }
    }

    private bool ReadExactly(Span<byte> buffer)
    {
        var done = 0;
        fixed (byte* p = buffer)
        {
            while (done < buffer.Length)
            {
                var n = Libc.Read(_fd, p + done, buffer.Length - done);
                if (n < 0 && Libc.LastErrno == Errno.EINTR)
                {
                    continue;
                }

                if (n <= 0)
                {
                    return false;
                }

                done += (int)n;
            }
        }

        return true;
    }

    private void Send(byte type, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[AttachProtocol.HeaderSize + payload.Length];
        AttachProtocol.WriteHeader(frame, type, payload.Length);
        payload.CopyTo(frame.AsSpan(AttachProtocol.HeaderSize));
        lock (_sendGate)
        {
            fixed (byte* p = frame)
            {
                for (var done = 0; done < frame.Length;)
                {
                    var n = Libc.Send(_fd, p + done, frame.Length - done, Libc.MSG_NOSIGNAL);
                    if (n < 0 && Libc.LastErrno == Errno.EINTR)
                    {
                        continue;
                    }

                    if (n <= 0)
                    {
                        // The monitor is gone; its exit comes through the read side.
                        return;
                    }

                    done += (int)n;
                }
            }
        }
    }

    private void SplitLines(int stream, ReadOnlySpan<byte> data, List<ContainerLogEntry> lines)
    {
        var partial = _partial[stream];
        while (!data.IsEmpty)
        {
            var nl = data.IndexOf((byte)'\n');
            var room = MaxLine - (int)partial.Length;
            if (nl < 0 || nl > room)
            {
                var take = Math.Min(data.Length, room);
                partial.Write(data[..take]);
                data = data[take..];
                if (partial.Length >= MaxLine)
                {
                    lines.Add(Entry(stream, partial.ToArray()));
                    partial.SetLength(0);
                }

                continue;
            }

            partial.Write(data[..nl]);
            lines.Add(Entry(stream, partial.ToArray()));
            partial.SetLength(0);
            data = data[(nl + 1)..];
        }
    }

    private static ContainerLogEntry Entry(int stream, byte[] text) =>
        new(DateTimeOffset.UtcNow, stream == 0 ? "stdout" : "stderr", Encoding.UTF8.GetString(text));

    public void Dispose()
    {
        if (_fd >= 0)
        {
            Libc.Close(_fd);
            _fd = -1;
        }
    }
}
