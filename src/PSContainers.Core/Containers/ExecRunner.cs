using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace PSContainers.Core.Containers;

/// <summary>Runs `pscrun exec` as a child process and turns its stdout and stderr into log entries as they come.</summary>
public static class ExecRunner
{
    public static ContainerExecResult Run(string pscrun, IReadOnlyList<string> args, string id, byte[]? input, Action<ContainerLogEntry>? output, ILogger log, CancellationToken cancellationToken)
    {
        var start = ExecProcess.PipedStartInfo(pscrun, args);
        log.LogDebug("exec: {Pscrun} {Args}", pscrun, string.Join(' ', args));
        var lines = new List<ContainerLogEntry>();
        var gate = new Lock();
        void Add(string stream, string? text)
        {
            if (text is null)
            {
                return;
            }

            var entry = new ContainerLogEntry(DateTimeOffset.UtcNow, stream, text);
            lock (gate)
            {
                lines.Add(entry);
                output?.Invoke(entry);
            }
        }

        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Add("stdout", e.Data);
        process.ErrorDataReceived += (_, e) => Add("stderr", e.Data);
        process.Start();
        var feed = Feed(process, input);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using (cancellationToken.Register(() =>
        {
            try
            {
                process.Kill();
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }
        }))
        {
            process.WaitForExit();
        }

        // A child the command left behind may hold stdin open without reading it: then the rest of the input is dropped.
        feed.Wait(TimeSpan.FromSeconds(2), CancellationToken.None);
        cancellationToken.ThrowIfCancellationRequested();
        List<ContainerLogEntry> all;
        lock (gate)
        {
            all = [.. lines];
        }

        // pscrun's own failures (no such container, bad user) exit 1 with a "pscrun: " line; the command never ran.
        if (process.ExitCode == 1 && all.Count > 0 && all.All(l => l.Stream == "stderr") && all[^1].Text.StartsWith("pscrun: ", StringComparison.Ordinal))
        {
            throw new ContainerEngineException("ContainerExecFailed", $"Exec in container {id[..12]} failed: {all[^1].Text["pscrun: ".Length..]}",
                ContainerErrorKind.OperationFailed, id);
        }

        return new ContainerExecResult { ContainerId = id, ExitCode = process.ExitCode, Output = all };
    }

    /// <summary>Writes the input to the process's stdin on its own task (the output is read meanwhile), then closes it.</summary>
    private static Task Feed(Process process, byte[]? input)
    {
        if (input is null || input.Length == 0)
        {
            process.StandardInput.Close();
            return Task.CompletedTask;
        }

        return Task.Run(() =>
        {
            try
            {
                process.StandardInput.BaseStream.Write(input);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // EPIPE: the process ended or closed its stdin before reading everything, as `head` does.
            }
        }, CancellationToken.None);
    }
}
