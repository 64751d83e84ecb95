using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using PSContainers.Core.Containers;
using PSContainers.Core.State;
using PSContainers.Native;

namespace PSContainers.Core.Api;

/// <summary>
/// Starts, finds and stops the Docker Engine API service (psc-api) of one engine state. One service per run root:
/// its record (api/service.json) is written by the service itself once it listens, so a service that systemd runs
/// in the foreground is found and stopped the same way as one started here.
/// </summary>
public sealed class ApiServiceManager
{
    // Only one ready pipe at a time is made inheritable, so a concurrent start from this process cannot keep ours open.
    private static readonly Lock InheritGate = new();

    public ApiServiceManager(EnginePaths? paths = null, string? executable = null)
    {
        Paths = paths ?? EnginePaths.FromEnvironment();
        Executable = executable ?? DefaultExecutable();
    }

    public EnginePaths Paths { get; }

    public string Executable { get; }

    public string StateDir => Path.Combine(Paths.RunRoot, "api");

    public string RecordFile => Path.Combine(StateDir, "service.json");

    public string LogFile => Path.Combine(StateDir, "service.log");

    /// <summary>The module's psc-api: $env:PSC_API, else api/psc-api next to this assembly.</summary>
    public static string DefaultExecutable()
    {
        var env = Environment.GetEnvironmentVariable("PSC_API");
        return !string.IsNullOrEmpty(env)
            ? Path.GetFullPath(env)
            : Path.Join(Path.GetDirectoryName(typeof(ApiServiceManager).Assembly.Location), "api", "psc-api");
    }

    /// <summary>The service of this run root, running or not; null when none was ever recorded (or its record was cleaned up).</summary>
    public ApiServiceInfo? Get()
    {
        var record = ReadRecord();
        return record is null ? null : ToInfo(record, IsAlive(record));
    }

    /// <summary>Starts psc-api detached (its own session, its log in api/service.log) and returns once it listens.</summary>
    public ApiServiceInfo Start(ApiServiceOptions options, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (Get() is { Running: true } running)
        {
            throw new ContainerEngineException("ApiServiceRunning",
                $"The API service of {Paths.RunRoot} already runs (pid {running.Pid}, {running.DockerHost}); Stop-ContainerApiService stops it.",
                ContainerErrorKind.InvalidState, running.Socket);
        }

        if (!File.Exists(Executable))
        {
            throw new ContainerEngineException("ApiServiceStartFailed", $"The API service binary {Executable} does not exist; rebuild the module or set $env:PSC_API.",
                ContainerErrorKind.OperationFailed, Executable);
        }

        Directory.CreateDirectory(StateDir);
        var launch = new ApiServiceOptions
        {
            Socket = options.Socket, SocketOwner = options.SocketOwner, SocketGroup = options.SocketGroup,
            SocketMode = options.SocketMode, Tcp = options.Tcp, LogFile = LogFile,
        };
        var process = Launch(launch, timeout, cancellationToken);
        return Get() ?? throw new ContainerEngineException("ApiServiceStartFailed",
            $"The API service (pid {process}) reported ready but wrote no record to {RecordFile}.", ContainerErrorKind.OperationFailed);
    }

    /// <summary>Stops the service by its recorded pid: SIGTERM, then SIGKILL after the timeout; removes its socket and record.</summary>
    public ApiServiceInfo Stop(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var record = ReadRecord() ?? throw new ContainerEngineException("ApiServiceNotFound",
            $"No API service is recorded for {Paths.RunRoot}; Get-ContainerApiService shows the service.", ContainerErrorKind.NotFound, Paths.RunRoot);
        if (IsAlive(record))
        {
            Libc.Kill(record.Pid, Consts.SIGTERM);
            if (!WaitGone(record, timeout, cancellationToken))
            {
                Libc.Kill(record.Pid, Consts.SIGKILL);
                WaitGone(record, TimeSpan.FromSeconds(10), cancellationToken);
            }
        }

        // A service killed before its clean-up leaves these; a new one would fail to bind a stale socket.
        DeleteSocketIfStale(record.Socket);
        File.Delete(RecordFile);
        return ToInfo(record, false);
    }

    /// <summary>Called by the service once it listens: records it for Get and Stop.</summary>
    public void WriteRecord(ApiServiceRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Directory.CreateDirectory(StateDir);
        record.ProcessStartTicks = ProcessStartTicks(record.Pid) ?? 0;
        AtomicFile.WriteAllText(RecordFile, JsonSerializer.Serialize(record));
    }

    /// <summary>Called by the service as it stops: forgets it, unless another service has recorded itself since.</summary>
    public void RemoveRecord(int pid)
    {
        if (ReadRecord() is { } record && record.Pid == pid)
        {
            File.Delete(RecordFile);
        }
    }

    /// <summary>Deletes a socket file nobody listens on (left by a killed service); refuses one a live service holds.</summary>
    public static void DeleteSocketIfStale(string socket)
    {
        if (Libc.Lstat(socket) is not { } stat)
        {
            return;
        }

        // S_IFSOCK: the type bits of st_mode are 0140000.
        if ((stat.Mode & 0xF000) != 0xC000)
        {
            throw new ContainerEngineException("ApiSocketPathInUse", $"{socket} exists and is not a socket; choose another -Socket path.",
                ContainerErrorKind.ResourceBusy, socket);
        }

        using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        try
        {
            probe.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(socket));
        }
        catch (System.Net.Sockets.SocketException)
        {
            File.Delete(socket);
            return;
        }

        throw new ContainerEngineException("ApiSocketInUse", $"Another process listens on {socket}; stop it or choose another -Socket path.",
            ContainerErrorKind.ResourceBusy, socket);
    }

    private int Launch(ApiServiceOptions launch, TimeSpan timeout, CancellationToken cancellationToken)
    {
        int readEnd, writeEnd;
        unsafe
        {
            var fds = stackalloc int[2];
            Libc.Check(Libc.Pipe2(fds, Consts.O_CLOEXEC), "pipe2", "API service ready pipe");
            readEnd = fds[0];
            writeEnd = fds[1];
        }

        Process? process = null;
        try
        {
            launch.ReadyFd = writeEnd;
            var start = new ProcessStartInfo(Executable)
            {
                UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
                WorkingDirectory = "/",
            };
            foreach (var a in launch.ToArguments())
            {
                start.ArgumentList.Add(a);
            }

            // The service serves this engine state and starts containers with this module's pscrun.
            start.Environment["PSCONTAINERS_ROOT"] = Paths.Root;
            start.Environment["PSCONTAINERS_RUNROOT"] = Paths.RunRoot;
            start.Environment["PSCRUN"] = MonitorLauncher.DefaultPscrunPath();
            lock (InheritGate)
            {
                Libc.Check(Libc.Fcntl(writeEnd, Consts.F_SETFD, 0), "fcntl", "API service ready pipe");
                try
                {
                    process = Process.Start(start) ?? throw new InvalidOperationException($"{Executable} did not start");
                    process.StandardInput.Close();
                    process.StandardOutput.Close();
                    process.StandardError.Close();
                }
                catch (System.ComponentModel.Win32Exception e)
                {
                    throw new ContainerEngineException("ApiServiceStartFailed", $"{Executable} cannot be started: {e.Message}.", ContainerErrorKind.OperationFailed, Executable, e);
                }
                finally
                {
                    Libc.Close(writeEnd);
                    writeEnd = -1;
                }
            }

            string answer;
            try
            {
                answer = ReadyPipe.ReadAnswer(readEnd, timeout, () => new ContainerEngineException("ApiServiceStartFailed",
                    $"The API service did not report that it listens within {timeout.TotalSeconds:F0} s.", ContainerErrorKind.Timeout), cancellationToken);
            }
            catch
            {
                Kill(process);
                throw;
            }

            if (answer == "1")
            {
                return process.Id;
            }

            Kill(process);
            var reason = answer.StartsWith("error:", StringComparison.Ordinal)
                ? answer["error:".Length..].Trim()
                : $"it exited without reporting that it listens; its log is {LogFile}";
            throw new ContainerEngineException("ApiServiceStartFailed", $"The API service did not start: {reason}", ContainerErrorKind.OperationFailed, launch.Socket);
        }
        finally
        {
            if (writeEnd >= 0)
            {
                Libc.Close(writeEnd);
            }

            Libc.Close(readEnd);
            process?.Dispose();
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private ApiServiceRecord? ReadRecord()
    {
        try
        {
            return JsonSerializer.Deserialize<ApiServiceRecord>(File.ReadAllBytes(RecordFile));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException)
        {
            // A torn or foreign file: nothing we can stop by it.
            return null;
        }
    }

    private ApiServiceInfo ToInfo(ApiServiceRecord record, bool running) => new()
    {
        Pid = record.Pid, Running = running, Socket = record.Socket, Tcp = record.Tcp, StartedAt = record.StartedAt,
        ApiVersion = record.ApiVersion, Executable = record.Executable, LogFile = record.LogFile,
        Root = Paths.Root, RunRoot = Paths.RunRoot,
    };

    private static bool IsAlive(ApiServiceRecord record) =>
        record.Pid > 0 && ProcessStartTicks(record.Pid) is { } ticks && (record.ProcessStartTicks == 0 || ticks == record.ProcessStartTicks);

    private static bool WaitGone(ApiServiceRecord record, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (IsAlive(record))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            cancellationToken.WaitHandle.WaitOne(50);
            cancellationToken.ThrowIfCancellationRequested();
        }

        return true;
    }

    /// <summary>The start time of a live (not zombie) process; null when there is none with that pid.</summary>
    internal static ulong? ProcessStartTicks(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (IOException)
        {
            return null;
        }

        // The command name may hold spaces and parentheses: fields count from the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        if (fields[0] is "Z" or "X")
        {
            return null;
        }

        return ulong.Parse(fields[19], CultureInfo.InvariantCulture);
    }
}
