namespace PSContainers.Core.Containers;

/// <summary>The far end of a terminal relay: a container's attach socket or an exec's pty.</summary>
public interface ITerminalSession : IDisposable
{
    /// <summary>The descriptor that becomes readable when output (or the end) arrives.</summary>
    int OutputFd { get; }

    /// <summary>Reads what output is there and hands it to write; false once the output has ended.</summary>
    bool ReadOutput(Action<ReadOnlySpan<byte>> write);

    void WriteInput(ReadOnlySpan<byte> bytes);

    /// <summary>The input has ended (the user's stdin reached end of file).</summary>
    void EndInput();

    void Resize(ushort rows, ushort columns);

    /// <summary>The exit code once the output has ended; null when it is not known (yet).</summary>
    int? ExitCode { get; }
}
