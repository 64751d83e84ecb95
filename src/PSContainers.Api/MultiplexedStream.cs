using System.Buffers.Binary;

namespace PSContainers.Api;

/// <summary>
/// docker's stream multiplexing for non-tty attach, logs and exec: each frame is an 8-byte header (stream type:
/// 0 stdin, 1 stdout, 2 stderr; three zero bytes; the payload length as a big-endian uint32) and the payload.
/// </summary>
internal static class MultiplexedStream
{
    public const byte Stdin = 0;
    public const byte Stdout = 1;
    public const byte Stderr = 2;

    public const int HeaderSize = 8;

    public static void WriteHeader(Span<byte> header, byte stream, int length)
    {
        header[0] = stream;
        header[1] = 0;
        header[2] = 0;
        header[3] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], checked((uint)length));
    }

    /// <summary>One frame: header and payload in one buffer, so a frame goes out in one write.</summary>
    public static byte[] Frame(byte stream, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[HeaderSize + payload.Length];
        WriteHeader(frame, stream, payload.Length);
        payload.CopyTo(frame.AsSpan(HeaderSize));
        return frame;
    }

    /// <summary>Reads a header back: the stream type and payload length; false when it is not a valid header.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> header, out byte stream, out int length)
    {
        stream = 0;
        length = 0;
        if (header.Length < HeaderSize || header[0] > Stderr || header[1] != 0 || header[2] != 0 || header[3] != 0)
        {
            return false;
        }

        var size = BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
        if (size > int.MaxValue)
        {
            return false;
        }

        stream = header[0];
        length = (int)size;
        return true;
    }
}
