namespace PSContainers.Runtime.Monitor;

/// <summary>Frames on a monitor's attach socket: a type byte, a 4-byte little-endian payload length, the payload.</summary>
/// <remarks>
/// The monitor sends output frames (the bytes as the container wrote them, one frame per read) and an exit
/// frame after each run; a client sends stdin bytes, the end of its stdin, and terminal sizes. docs/pscrun.md
/// describes the protocol for other clients.
/// </remarks>
public static class AttachProtocol
{
    public const int HeaderSize = 5;

    /// <summary>Largest payload either side sends; a larger announced length is a protocol error.</summary>
    public const int MaxPayload = 64 * 1024;

    // Monitor to client.
    public const byte Stdout = 1, Stderr = 2, Exit = 3;

    // Client to monitor.
    public const byte Stdin = 16, CloseStdin = 17, Resize = 18;

    /// <summary>Exit payload: exit code (int32 LE), then flags.</summary>
    public const int ExitPayloadSize = 5;

    public const byte ExitOomKilled = 1, ExitRestarting = 2;

    /// <summary>Resize payload: rows then columns, uint16 LE each.</summary>
    public const int ResizePayloadSize = 4;

    public static void WriteHeader(Span<byte> destination, byte type, int length)
    {
        destination[0] = type;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(destination[1..], length);
    }
}
