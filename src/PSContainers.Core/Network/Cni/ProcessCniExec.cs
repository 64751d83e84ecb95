using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace PSContainers.Core.Network.Cni;

/// <summary>Runs CNI plugins as child processes, as the spec defines: config on stdin, result on stdout, CNI_* in the environment.</summary>
public sealed class ProcessCniExec : ICniExec
{
    private static readonly TimeSpan PluginTimeout = TimeSpan.FromSeconds(60);

    public string? FindInPath(string plugin, IReadOnlyList<string> directories)
    {
        if (plugin.Contains('/', StringComparison.Ordinal) || plugin is "" or "." or "..")
        {
            return null;
        }

        return directories.Select(d => Path.Combine(d, plugin)).FirstOrDefault(File.Exists);
    }

    public byte[] ExecPlugin(string pluginPath, byte[] stdinData, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(pluginPath);
        var start = new ProcessStartInfo(pluginPath)
        {
            UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        // Only the CNI_* values of this call: a CNI_* inherited from the caller's environment would change what the plugin does.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("CNI_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new CniException(name, 999, $"{pluginPath} did not start");
        using var output = new MemoryStream();
        var read = process.StandardOutput.BaseStream.CopyToAsync(output, CancellationToken.None);
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        process.StandardInput.BaseStream.Write(stdinData);
        process.StandardInput.Close();
        if (!process.WaitForExit(PluginTimeout))
        {
            process.Kill();
            process.WaitForExit();
            throw new CniException(name, 999, $"did not finish within {PluginTimeout.TotalSeconds:F0} s");
        }

        read.Wait(CancellationToken.None);
        var stderr = errors.GetAwaiter().GetResult().Trim();
        var bytes = output.ToArray();
        if (process.ExitCode == 0)
        {
            return bytes;
        }

        // The spec's error result: {"cniVersion", "code", "msg", "details"} on stdout.
        try
        {
            if (JsonNode.Parse(bytes) is JsonObject error && error["msg"] is { } msg)
            {
                throw new CniException(name, (int?)error["code"] ?? 999, msg.ToString(), (string?)error["details"] is { Length: > 0 } d ? d : stderr);
            }
        }
        catch (System.Text.Json.JsonException)
        {
        }

        var text = Encoding.UTF8.GetString(bytes).Trim();
        throw new CniException(name, 999, $"exit code {process.ExitCode}: {(text.Length > 0 ? text : stderr)}");
    }
}
