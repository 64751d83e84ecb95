using System.Diagnostics;
using System.Text;
using PSContainers.Native;

namespace PSContainers.Core.Containers;

/// <summary>Starts `pscrun monitor` detached from pwsh and waits for its ready report on a pipe.</summary>
/// <remarks>
/// The monitor gets the pipe's write end as --ready-fd and answers "1" or "error: MESSAGE". Its standard
/// streams are pipes whose ends this process closes at once (the monitor puts /dev/null on them as it detaches),
/// so nothing ties it to this pwsh; and a child that shares the terminal would make .NET switch the terminal's
/// modes while it lives and again when it exits, which would break a terminal relay in raw mode. It is started
/// directly, not through a shell: a shell costs a few milliseconds on every container start.
/// An attach socket given to Launch becomes the monitor's first client (--attach-fd).
/// </remarks>
public sealed class MonitorLauncher
{
    // Only one ready pipe at a time is made inheritable, so a concurrent launch from this process cannot keep ours open.
    private static readonly Lock InheritGate = new();

    public MonitorLauncher(string pscrunPath) => PscrunPath = pscrunPath;

    public string PscrunPath { get; }

    /// <summary>The module's pscrun: $env:PSCRUN, else the file next to this assembly.</summary>
    public static string DefaultPscrunPath()
    {
        var env = Environment.GetEnvironmentVariable("PSCRUN");
        return !string.IsNullOrEmpty(env)
            ? Path.GetFullPath(env)
            : Path.Join(Path.GetDirectoryName(typeof(MonitorLauncher).Assembly.Location), "pscrun");
    }

    /// <summary>Starts the monitor and waits for its ready report; attachFd (closed here) is handed to it as its first attach client.</summary>
    public unsafe void Launch(IReadOnlyList<string> monitorArgs, TimeSpan timeout, CancellationToken cancellationToken, int attachFd = -1)
    {
        if (!File.Exists(PscrunPath))
        {
            throw new ContainerEngineException("ContainerStartFailed", $"The runtime binary {PscrunPath} does not exist; rebuild the module or set $env:PSCRUN.",
                ContainerErrorKind.OperationFailed);
        }

        var fds = stackalloc int[2];
        Libc.Check(Libc.Pipe2(fds, Consts.O_CLOEXEC), "pipe2", "monitor ready pipe");
        var readEnd = fds[0];
        var writeEnd = fds[1];
        try
        {
            var start = new ProcessStartInfo(PscrunPath)
            {
                UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            };
            start.ArgumentList.Add("monitor");
            foreach (var a in monitorArgs)
            {
                start.ArgumentList.Add(a);
            }

            start.ArgumentList.Add("--ready-fd");
            start.ArgumentList.Add(writeEnd.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (attachFd >= 0)
            {
                start.ArgumentList.Add("--attach-fd");
                start.ArgumentList.Add(attachFd.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            lock (InheritGate)
            {
                Libc.Check(Libc.Fcntl(writeEnd, Consts.F_SETFD, 0), "fcntl", "monitor ready pipe");
                if (attachFd >= 0)
                {
                    Libc.Check(Libc.Fcntl(attachFd, Consts.F_SETFD, 0), "fcntl", "monitor attach socket");
                }

                try
                {
                    using var process = StartProcess(start);
                    process.StandardInput.Close();
                    process.StandardOutput.Close();
                    process.StandardError.Close();
                }
                finally
                {
                    Libc.Close(writeEnd);
                    writeEnd = -1;
                    if (attachFd >= 0)
                    {
                        Libc.Close(attachFd);
                        attachFd = -1;
                    }
                }
            }

            var answer = ReadyPipe.ReadAnswer(readEnd, timeout, () => new ContainerEngineException("ContainerStartFailed",
                $"The container's monitor did not report within {timeout.TotalSeconds:F0} s.", ContainerErrorKind.Timeout), cancellationToken);
            if (answer == "1")
            {
                return;
            }

            if (answer.StartsWith("error:", StringComparison.Ordinal))
            {
                throw new ContainerEngineException("ContainerStartFailed", answer["error:".Length..].Trim(), ContainerErrorKind.OperationFailed);
            }

            throw new ContainerEngineException("ContainerStartFailed",
                answer.Length == 0 ? $"The container's monitor ({PscrunPath} monitor) exited without reporting whether the container started; check that this pscrun has the monitor command." : $"The monitor answered \"{answer}\" instead of a ready report.",
                ContainerErrorKind.OperationFailed);
        }
        finally
        {
            if (writeEnd >= 0)
            {
                Libc.Close(writeEnd);
            }

            if (attachFd >= 0)
            {
                Libc.Close(attachFd);
            }

            Libc.Close(readEnd);
        }
    }

    private Process StartProcess(ProcessStartInfo start)
    {
        try
        {
            return Process.Start(start) ?? throw new InvalidOperationException($"{PscrunPath} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ContainerEngineException("ContainerStartFailed", $"The runtime binary {PscrunPath} cannot be started: {e.Message}; rebuild the module or set $env:PSCRUN.",
                ContainerErrorKind.OperationFailed, PscrunPath, e);
        }
    }
}
