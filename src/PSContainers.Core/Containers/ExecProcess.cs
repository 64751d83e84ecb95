using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace PSContainers.Core.Containers;

/// <summary>
/// A process run in a container with its standard streams as pipes (docker exec -i without -t): bytes go both ways
/// unchanged, with no terminal and no line splitting. `pscrun exec` hands its own stdin, stdout and stderr to the
/// process, so these are the process's streams; pscrun's own failures come as a "pscrun: " line on stderr and exit 1.
/// </summary>
public sealed class ExecProcess : IDisposable
{
    private readonly Process _process;
    private readonly Lock _inputGate = new();
    private bool _inputClosed;

    private ExecProcess(Process process)
    {
        _process = process;
    }

    /// <summary>The process's stdout, read raw.</summary>
    public Stream Output => _process.StandardOutput.BaseStream;

    /// <summary>The process's stderr (and pscrun's own messages), read raw.</summary>
    public Stream Error => _process.StandardError.BaseStream;

    public bool HasExited => _process.HasExited;

    public static ExecProcess Start(string pscrun, IReadOnlyList<string> args, bool openStdin, ILogger log)
    {
        var start = PipedStartInfo(pscrun, args);
        log.LogDebug("exec with pipes: {Pscrun} {Args}", pscrun, string.Join(' ', args));
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{pscrun} did not start");
        var exec = new ExecProcess(process);
        if (!openStdin)
        {
            exec.CloseInput();
        }

        return exec;
    }

    /// <summary>
    /// pscrun with all three standard streams as pipes: never the user's terminal, which .NET would reconfigure
    /// for a child that shares it.
    /// </summary>
    internal static ProcessStartInfo PipedStartInfo(string pscrun, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(pscrun)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        return start;
    }

    /// <summary>Writes to the process's stdin; false once the process no longer reads it (closed, or gone).</summary>
    public bool WriteInput(ReadOnlySpan<byte> bytes)
    {
        lock (_inputGate)
        {
            if (_inputClosed)
            {
                return false;
            }

            try
            {
                var stream = _process.StandardInput.BaseStream;
                stream.Write(bytes);
                stream.Flush();
                return true;
            }
            catch (IOException)
            {
                // EPIPE: nothing in the container holds the pipe's read end any more.
                CloseInputLocked();
                return false;
            }
        }
    }

    /// <summary>End of input: the process reads end-of-file.</summary>
    public void CloseInput()
    {
        lock (_inputGate)
        {
            CloseInputLocked();
        }
    }

    private void CloseInputLocked()
    {
        if (_inputClosed)
        {
            return;
        }

        _inputClosed = true;
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // A flush of nothing into a broken pipe: the end is what was asked for.
        }
    }

    /// <summary>Waits for pscrun, whose exit status is the process's.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken = default)
    {
        await _process.WaitForExitAsync(cancellationToken);
        return _process.ExitCode;
    }

    /// <summary>Ends the run: SIGKILL to pscrun when it still runs (the process in the container then loses its pipes).</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
    }

    public void Dispose()
    {
        CloseInput();
        _process.Dispose();
    }
}
