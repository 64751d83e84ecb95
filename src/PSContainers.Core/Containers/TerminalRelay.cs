using System.Runtime.InteropServices;
using PSContainers.Native;

namespace PSContainers.Core.Containers;

/// <summary>Connects the user's terminal to a container's: raw mode, keystrokes in, output out, window size on start and on SIGWINCH.</summary>
/// <remarks>
/// In raw mode the terminal sends Ctrl+C as the byte 0x03 instead of raising SIGINT here, so it reaches the
/// container, whose pty turns it into SIGINT for its foreground process. The terminal's modes are restored on
/// every way out (end of the session, cancellation, an exception). Only descriptors are touched, never
/// System.Console: the caller's host may keep its own console state.
/// </remarks>
public sealed unsafe class TerminalRelay
{
    private const byte CtrlP = 0x10, CtrlQ = 0x11;

    private readonly int _in;
    private readonly int _out;

    public TerminalRelay(int inputFd = 0, int outputFd = 1)
    {
        _in = inputFd;
        _out = outputFd;
    }

    /// <summary>Whether both ends of this relay are terminals (else there is no raw mode or window size to relay).</summary>
    public bool IsTerminal => Libc.IsATty(_in) == 1 && Libc.IsATty(_out) == 1;

    /// <summary>With detach keys, Ctrl+P Ctrl+Q ends the relay and leaves the container running (docker's default keys).</summary>
    public bool DetachKeys { get; init; }

    /// <summary>True when the user detached with the detach keys.</summary>
    public bool Detached { get; private set; }

    /// <summary>Relays until the session's output ends, the user detaches, or cancellation.</summary>
    public void Run(ITerminalSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        using var wake = new WakePipe(cancellationToken);
        var resized = 0;
        using var winch = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, ctx =>
        {
            Interlocked.Exchange(ref resized, 1);
            wake.Wake();
        });
        var saved = default(Termios);
        var raw = IsTerminal && Libc.TcGetAttr(_in, &saved) == 0;
        try
        {
            if (raw)
            {
                var mode = saved;
                Libc.CfMakeRaw(&mode);
                Libc.Check(Libc.TcSetAttr(_in, Libc.TCSANOW, &mode), "tcsetattr", "stdin");
                SendSize(session);
            }

            Relay(session, wake, ref resized, cancellationToken);
        }
        finally
        {
            if (raw)
            {
                // TCSADRAIN: what the container wrote last is on the screen before the line discipline changes back.
                Libc.TcSetAttr(_in, Libc.TCSADRAIN, &saved);
            }
        }
    }

    private void Relay(ITerminalSession session, WakePipe wake, ref int resized, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var inputOpen = true;
        var heldCtrlP = false;
        var pfds = stackalloc PollFd[3];
        while (!cancellationToken.IsCancellationRequested)
        {
            pfds[0] = new PollFd { Fd = session.OutputFd, Events = Consts.POLLIN };
            pfds[1] = new PollFd { Fd = wake.ReadFd, Events = Consts.POLLIN };
            pfds[2] = new PollFd { Fd = inputOpen ? _in : -1, Events = Consts.POLLIN };
            if (Libc.Poll(pfds, 3, -1) < 0)
            {
                continue;
            }

            if (pfds[1].REvents != 0)
            {
                wake.Drain();
                if (Interlocked.Exchange(ref resized, 0) == 1)
                {
                    SendSize(session);
                }
            }

            if (pfds[0].REvents != 0 && !session.ReadOutput(WriteOut))
            {
                return;
            }

            if (pfds[2].REvents != 0)
            {
                nint n;
                fixed (byte* p = buffer)
                {
                    n = Libc.Read(_in, p, buffer.Length);
                }

                if (n < 0 && Libc.LastErrno is Errno.EINTR or Errno.EAGAIN)
                {
                    continue;
                }

                if (n <= 0)
                {
                    inputOpen = false;
                    session.EndInput();
                    continue;
                }

                var input = buffer.AsSpan(0, (int)n);
                if (DetachKeys && Detach(session, ref input, ref heldCtrlP))
                {
                    Detached = true;
                    return;
                }

                if (!input.IsEmpty)
                {
                    session.WriteInput(input);
                }
            }
        }
    }

    /// <summary>Looks for Ctrl+P Ctrl+Q (possibly split across reads); true to detach. A lone Ctrl+P is passed on with what follows.</summary>
    private static bool Detach(ITerminalSession session, ref Span<byte> input, ref bool heldCtrlP)
    {
        if (heldCtrlP)
        {
            heldCtrlP = false;
            if (input[0] == CtrlQ)
            {
                return true;
            }

            session.WriteInput([CtrlP]);
        }

        var i = input.IndexOf(CtrlP);
        if (i < 0)
        {
            return false;
        }

        if (i + 1 < input.Length)
        {
            if (input[i + 1] == CtrlQ)
            {
                session.WriteInput(input[..i]);
                return true;
            }

            return false;
        }

        // Ctrl+P ends this read: hold it until the next byte says whether it starts the detach keys.
        heldCtrlP = true;
        input = input[..i];
        return false;
    }

    private void WriteOut(ReadOnlySpan<byte> bytes) => Libc.WriteAll(_out, bytes);

    private void SendSize(ITerminalSession session)
    {
        if ((WindowSize(_out) ?? WindowSize(_in)) is { } size)
        {
            session.Resize(size.Rows, size.Cols);
        }
    }

    /// <summary>The window size of a terminal descriptor, or null when it is none.</summary>
    public static WinSize? WindowSize(int fd)
    {
        WinSize size;
        return Libc.Ioctl(fd, Consts.TIOCGWINSZ, &size) == 0 && size.Rows > 0 ? size : null;
    }
}
