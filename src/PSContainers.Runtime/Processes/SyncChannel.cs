namespace PSContainers.Runtime.Processes;

/// <summary>Framed messages between the runtime and a container's init over one socket.</summary>
/// <remarks>A frame is one type byte, a little-endian int32 length, then UTF-8 text.</remarks>
internal sealed unsafe class SyncChannel : IDisposable
{
    public const byte Go = (byte)'G';
    public const byte Config = (byte)'C';
    public const byte HooksReady = (byte)'H';
    public const byte HooksDone = (byte)'D';
    public const byte Created = (byte)'R';
    public const byte Error = (byte)'E';
    public const byte ChildFailed = (byte)'X';

    private readonly bool _owns;

    public SyncChannel(int fd, bool owns = true)
    {
        Fd = fd;
        _owns = owns;
    }

    public int Fd { get; private set; }

    public void Send(byte type, string text = "")
    {
        var payload = System.Text.Encoding.UTF8.GetBytes(text);
        var frame = new byte[5 + payload.Length];
        frame[0] = type;
        BitConverter.TryWriteBytes(frame.AsSpan(1), payload.Length);
        payload.CopyTo(frame, 5);
        WriteAll(frame);
    }

    /// <summary>Reads one frame; null at end of stream (the peer exited).</summary>
    public (byte Type, string Text)? Receive()
    {
        var header = new byte[5];
        if (!ReadAll(header))
        {
            return null;
        }

        var length = BitConverter.ToInt32(header, 1);
        if (length < 0 || length > 64 * 1024 * 1024)
        {
            throw new InvalidOperationException($"sync channel: bad frame length {length}");
        }

        var payload = new byte[length];
        if (!ReadAll(payload))
        {
            return null;
        }

        // The pre-exec child cannot format text; it sends two ints.
        if (header[0] == ChildFailed && length == 8)
        {
            var step = BitConverter.ToInt32(payload, 0);
            var errno = BitConverter.ToInt32(payload, 4);
            return (ChildFailed, $"{step}:{errno}");
        }

        return (header[0], System.Text.Encoding.UTF8.GetString(payload));
    }

    public (byte Type, string Text) Expect(params byte[] types)
    {
        var frame = Receive() ?? throw new EndOfStreamException("the container process exited before it was ready");
        if (frame.Type == Error)
        {
            throw new ContainerInitException(frame.Text);
        }

        if (Array.IndexOf(types, frame.Type) < 0)
        {
            throw new InvalidOperationException($"sync channel: unexpected message '{(char)frame.Type}'");
        }

        return frame;
    }

    private void WriteAll(byte[] data)
    {
        fixed (byte* p = data)
        {
            var done = 0;
            while (done < data.Length)
            {
                var n = Libc.Write(Fd, p + done, data.Length - done);
                if (n < 0)
                {
                    if (Libc.LastErrno == Errno.EINTR)
                    {
                        continue;
                    }

                    throw new SyscallException("write", "sync channel", Libc.LastErrno);
                }

                done += (int)n;
            }
        }
    }

    private bool ReadAll(byte[] data)
    {
        fixed (byte* p = data)
        {
            var done = 0;
            while (done < data.Length)
            {
                var n = Libc.Read(Fd, p + done, data.Length - done);
                if (n < 0)
                {
                    if (Libc.LastErrno == Errno.EINTR)
                    {
                        continue;
                    }

                    throw new SyscallException("read", "sync channel", Libc.LastErrno);
                }

                if (n == 0)
                {
                    return false;
                }

                done += (int)n;
            }
        }

        return true;
    }

    public void Dispose()
    {
        if (_owns && Fd >= 0)
        {
            Libc.Close(Fd);
        }

        Fd = -1;
    }
}
