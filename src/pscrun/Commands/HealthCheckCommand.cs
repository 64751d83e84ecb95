using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PSContainers.Native;
using PSContainers.Runtime.Events;
using PSContainers.Runtime.Health;

namespace PSContainers.Pscrun.Commands;

/// <summary>`health-check`: runs a container's health check once and records the result; pscmon runs it on schedule.</summary>
/// <remarks>
/// The check is `pscrun exec` of the test's command in the container, with its output captured and its time
/// bounded by the timeout: then the process it ran (and its process group) is killed, and the result is docker's
/// -1 with "Health check exceeded timeout". An exec that cannot start is a failure with pscrun's message as output.
/// The result goes into SDIR/health.json (docker's rules: HealthState.Record), and a change of status into the
/// event journal as "health_status: STATUS".
/// </remarks>
internal static class HealthCheckCommand
{
    public static int HealthCheck(string? root, ArgReader reader)
    {
        string? bundle = null, stateDir = null, events = null;
        reader.ReadFlags((name, value) =>
        {
            switch (name)
            {
                case "--bundle" or "-b": bundle = value(); return true;
                case "--state-dir": stateDir = value(); return true;
                case "--events": events = value(); return true;
                default: return false;
            }
        });
        var rest = reader.Rest();
        if (rest.Count != 1 || bundle is null || stateDir is null)
        {
            throw new UsageException("usage: pscrun health-check --bundle BUNDLE --state-dir SDIR [--events JOURNAL] ID");
        }

        var id = rest[0];
        var config = HealthConfig.TryLoad(bundle) ?? throw new UsageException($"{Path.Combine(bundle, HealthConfig.FileName)} does not exist: the container has no health check");
        var startedAt = StartedAt(stateDir);
        if (startedAt is null)
        {
            // Not running (any more): nothing to check.
            return 0;
        }

        var result = Run(root, id, config, Path.Combine(stateDir, "health-check.pid"));
        var state = HealthState.TryLoad(stateDir) ?? new HealthState();
        var changed = state.Record(result, config, startedAt.Value);
        state.Save(stateDir);
        if (changed && events is not null)
        {
            ContainerActor.Emit(events, bundle, id, "health_status: " + state.Status);
        }

        return 0;
    }

    private static HealthLogEntry Run(string? root, string id, HealthConfig config, string pidFile)
    {
        var start = DateTimeOffset.UtcNow;
        var info = new ProcessStartInfo(Environment.ProcessPath ?? "/proc/self/exe")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        if (root is not null)
        {
            info.ArgumentList.Add("--root");
            info.ArgumentList.Add(root);
        }

        info.ArgumentList.Add("exec");
        info.ArgumentList.Add("--pid-file");
        info.ArgumentList.Add(pidFile);
        info.ArgumentList.Add(id);
        foreach (var a in config.Argv())
        {
            info.ArgumentList.Add(a);
        }

        try
        {
            using var process = Process.Start(info) ?? throw new InvalidOperationException("pscrun exec did not start");
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(config.Timeout))
            {
                KillCheck(pidFile, process);
                return new HealthLogEntry
                {
                    Start = start, End = DateTimeOffset.UtcNow, ExitCode = -1,
                    Output = $"Health check exceeded timeout ({Format(config.Timeout)})",
                };
            }

            process.WaitForExit();
            return new HealthLogEntry
            {
                Start = start, End = DateTimeOffset.UtcNow, ExitCode = process.ExitCode,
                Output = stdout.Result + stderr.Result,
            };
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            return new HealthLogEntry { Start = start, End = DateTimeOffset.UtcNow, ExitCode = -1, Output = "the health check could not run: " + e.Message };
        }
        finally
        {
            File.Delete(pidFile);
        }
    }

    /// <summary>Kills the check's process in the container with its process group, then the pscrun exec that waits for it.</summary>
    private static void KillCheck(string pidFile, Process exec)
    {
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0)
        {
            Libc.Kill(-pid, Consts.SIGKILL);
            Libc.Kill(pid, Consts.SIGKILL);
        }

        try
        {
            exec.Kill(entireProcessTree: true);
            exec.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // It ended meanwhile.
        }
    }

    /// <summary>When the container's current run started (status.json), or null when it does not run.</summary>
    private static DateTimeOffset? StartedAt(string stateDir)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(stateDir, "status.json")));
            var root = doc.RootElement;
            if (root.TryGetProperty("status", out var status) && status.GetString() == "running"
                && root.TryGetProperty("startedAt", out var started)
                && DateTimeOffset.TryParse(started.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
            {
                return t;
            }
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    // Go's Duration.String for whole and fractional seconds, as docker prints the timeout.
    private static string Format(TimeSpan t) =>
        t.TotalSeconds >= 1 ? t.TotalSeconds.ToString("0.#########", CultureInfo.InvariantCulture) + "s" : t.TotalMilliseconds.ToString("0.######", CultureInfo.InvariantCulture) + "ms";
}
