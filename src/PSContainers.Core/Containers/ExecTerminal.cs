using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using PSContainers.Native;

namespace PSContainers.Core.Containers;

/// <summary>A process run in a container on a pty of its own (docker exec -it): `pscrun exec --tty` hands the pty master over a console socket.</summary>
/// <remarks>
/// pscrun is started with all three standard streams redirected, so .NET never reconfigures the user's terminal
/// for it (it does for children that share the terminal); its stderr carries pscrun's own errors. The master
/// is read until the pty hangs up (EIO: the process and everything it started have closed the terminal), then
/// pscrun's exit status is the process's.
/// </remarks>
public sealed unsafe class ExecTerminal : ITerminalSession
{
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly Task<string> _stderr;
    private int _master;
    private bool _ended;

    private ExecTerminal(Process process, Task<string> stderr, int master)
    {
        _process = process;
        _stderr = stderr;
        _master = master;
    }

    public int OutputFd => _master;

    public int? ExitCode { get; private set; }

    /// <summary>Starts pscrun exec --tty with args (which hold the container id and command) and waits for the pty master.</summary>
    public static ExecTerminal Start(string pscrun, IReadOnlyList<string> globalArgs, IReadOnlyList<string> execArgs, string socketDir, ILogger log, CancellationToken cancellationToken)
    {
        var socketPath = Path.Combine(socketDir, "exec-" + Guid.NewGuid().ToString("N")[..12] + ".sock");
        var listener = UnixSocket.Listen(socketPath, 1);
        Process? process = null;
        try
        {
            var start = ExecProcess.PipedStartInfo(pscrun, [.. globalArgs, "exec", "--tty", "--console-socket", socketPath, .. execArgs]);

            log.LogDebug("exec with a terminal: {Pscrun} {Args}", pscrun, string.Join(' ', start.ArgumentList));
            process = Process.Start(start) ?? throw new InvalidOperationException($"{pscrun} did not start");
            process.StandardInput.Close();
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var master = AcceptMaster(listener, process, stderr, cancellationToken);
            return new ExecTerminal(process, stderr, master);
        }
        catch
        {
            if (process is not null)
            {
                try
                {
                    process.Kill();
                }
                catch (InvalidOperationException)
                {
                    // Already exited.
                }

                process.Dispose();
            }

            throw;
        }
        finally
        {
            Libc.Close(listener);
            File.Delete(socketPath);
        }
    }

    private static int AcceptMaster(int listener, Process process, Task<string> stderr, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + SetupTimeout;
        using var wake = new WakePipe(cancellationToken);
        // pscrun's exit makes its pidfd readable: no timer is needed to notice a failed start.
        var pidfd = Libc.PidfdOpen(process.Id);
        var pfds = stackalloc PollFd[3];
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (process.HasExited)
                {
                    // pscrun failed before it made the terminal: its message says why.
                    var message = stderr.Wait(TimeSpan.FromSeconds(5)) ? stderr.Result.Trim() : "";
                    if (message.StartsWith("pscrun: ", StringComparison.Ordinal))
                    {
                        message = message["pscrun: ".Length..];
                    }

                    throw new ContainerEngineException("ContainerExecFailed",
                        $"The command did not start: {(message.Length > 0 ? message : "pscrun exited with " + process.ExitCode.ToString(CultureInfo.InvariantCulture))}",
                        ContainerErrorKind.OperationFailed);
                }

                var left = (int)(deadline - DateTime.UtcNow).TotalMilliseconds;
                if (left <= 0)
                {
                    throw new ContainerEngineException("ContainerExecFailed", "pscrun exec did not hand over a terminal in 30 s.", ContainerErrorKind.Timeout);
                }

                pfds[0] = new PollFd { Fd = listener, Events = Consts.POLLIN };
                pfds[1] = new PollFd { Fd = wake.ReadFd, Events = Consts.POLLIN };
                pfds[2] = new PollFd { Fd = pidfd, Events = Consts.POLLIN };
                if (Libc.Poll(pfds, 3, left) <= 0 || pfds[0].REvents == 0)
                {
                    if (pfds[2].REvents != 0)
                    {
                        process.WaitForExit();
                    }

                    continue;
                }

                var conn = Libc.Accept4(listener, null, null, Consts.SOCK_CLOEXEC);
                if (conn < 0)
                {
                    continue;
                }

                try
                {
                    return FdPassing.Receive(conn);
                }
                finally
                {
                    Libc.Close(conn);
                }
            }
        }
        finally
        {
            if (pidfd >= 0)
            {
                Libc.Close(pidfd);
            }
        }
    }

    public bool ReadOutput(Action<ReadOnlySpan<byte>> write)
    {
        if (_ended)
        {
            return false;
        }

        var buffer = stackalloc byte[4096];
        var n = Libc.Read(_master, buffer, 4096);
        if (n < 0 && Libc.LastErrno is Errno.EINTR or Errno.EAGAIN)
        {
            return true;
        }

        if (n > 0)
        {
            write(new ReadOnlySpan<byte>(buffer, (int)n));
            return true;
        }

        // EIO: every holder of the terminal's other side is gone.
        _ended = true;
        _process.WaitForExit();
        ExitCode = _process.ExitCode;
        return false;
    }

    public void WriteInput(ReadOnlySpan<byte> bytes) => Libc.WriteAll(_master, bytes);

    /// <summary>End of the user's input: the terminal's end-of-file character, as typing Ctrl+D would.</summary>
    public void EndInput() => WriteInput([0x04]);

    public void Resize(ushort rows, ushort columns)
    {
        var size = new WinSize { Rows = rows, Cols = columns };
        Libc.Ioctl(_master, Consts.TIOCSWINSZ, &size);
    }

    /// <summary>pscrun's own message when it failed (exit 1 with a "pscrun: " line) rather than the command; null otherwise.</summary>
    public string? RuntimeError
    {
        get
        {
            if (ExitCode != 1 || !_stderr.Wait(TimeSpan.FromSeconds(2)))
            {
                return null;
            }

            var line = _stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith("pscrun: ", StringComparison.Ordinal));
            return line?["pscrun: ".Length..].Trim();
        }
    }

    public void Dispose()
    {
        if (_master >= 0)
        {
            Libc.Close(_master);
            _master = -1;
        }

        if (!_process.HasExited)
        {
            try
            {
                // The terminal is closed, so the session got SIGHUP; pscrun itself may still wait.
                _process.Kill();
            }
            catch (InvalidOperationException)
            {
                // Exited meanwhile.
            }
        }

        _process.Dispose();
    }
}
