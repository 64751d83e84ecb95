using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using PSContainers.Runtime.Spec;

namespace PSContainers.Core.OciRuntime;

/// <summary>Asks an OCI runtime binary (pscrun, crun, runc) for its version and features document.</summary>
public static class RuntimeInfoReader
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static RuntimeInfo Read(string runtimePath, ILogger logger, CancellationToken cancellationToken)
    {
        logger.LogInformation("locating pscrun at {Path}", runtimePath);
        if (!File.Exists(runtimePath))
        {
            throw new FileNotFoundException($"The OCI runtime {runtimePath} does not exist; rebuild the module (./build.ps1) so pscrun sits next to PSContainers.dll.", runtimePath);
        }

        var versionText = Invoke(runtimePath, "--version", logger, cancellationToken);
        string? version = null, spec = null;
        foreach (var line in versionText.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            // "pscrun version 0.1.0" / "crun version 1.8.1" / "runc version 1.1.5", then "spec: 1.2.0".
            var at = line.IndexOf(" version ", StringComparison.Ordinal);
            if (version is null && at > 0)
            {
                version = line[(at + " version ".Length)..].Trim();
            }
            else if (line.StartsWith("spec:", StringComparison.Ordinal))
            {
                spec = line["spec:".Length..].Trim();
            }
        }

        var featuresText = Invoke(runtimePath, "features", logger, cancellationToken);
        Features features;
        try
        {
            features = JsonSerializer.Deserialize(featuresText, SpecJsonContext.Default.Features)
                ?? throw new InvalidDataException($"{runtimePath} features printed null.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{runtimePath} features did not print a valid features document: {e.Message}", e);
        }

        logger.LogDebug("{Path}: version {Version}, spec {Spec}", runtimePath, version, spec);
        return new RuntimeInfo(runtimePath, version ?? versionText.Trim(), spec, features);
    }

    private static string Invoke(string path, string argument, ILogger logger, CancellationToken cancellationToken)
    {
        logger.LogDebug("running {Path} {Argument}", path, argument);
        var psi = new ProcessStartInfo(path, argument)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        using var process = System.Diagnostics.Process.Start(psi) ?? throw new InvalidOperationException($"Cannot start {path}.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            process.WaitForExitAsync(timeout.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"{path} {argument} did not finish within {Timeout.TotalSeconds:F0} s.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{path} {argument} failed with exit code {process.ExitCode}: {stderr.GetAwaiter().GetResult().Trim()}");
        }

        return stdout.GetAwaiter().GetResult();
    }
}
