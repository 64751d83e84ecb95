using System.Text;
using PSContainers.Runtime.Spec;

namespace PSContainers.Runtime.Processes;

/// <summary>Runs OCI hooks: the state document on stdin, the hook's own env and args, an optional timeout.</summary>
internal static class HookRunner
{
    public static void Run(IEnumerable<Hook>? hooks, string stateJson, string phase)
    {
        foreach (var hook in hooks ?? Array.Empty<Hook>())
        {
            RunOne(hook, stateJson, phase);
        }
    }

    /// <summary>Runs every hook even when one fails (poststart, poststop: the spec says a failure is only a warning).</summary>
    public static void RunEach(IEnumerable<Hook>? hooks, string stateJson, string phase, Action<string> warn)
    {
        foreach (var hook in hooks ?? Array.Empty<Hook>())
        {
            try
            {
                RunOne(hook, stateJson, phase);
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
            {
                warn(e.Message);
            }
        }
    }

    private static void RunOne(Hook hook, string stateJson, string phase)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(hook.Path)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in (hook.Args ?? new List<string>()).Skip(1))
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment.Clear();
        foreach (var e in hook.Env ?? new List<string>())
        {
            var eq = e.IndexOf('=');
            if (eq > 0)
            {
                psi.Environment[e[..eq]] = e[(eq + 1)..];
            }
        }

        using var proc = System.Diagnostics.Process.Start(psi)
            ?? throw new InvalidOperationException($"{phase} hook {hook.Path} could not be started");
        var stderr = proc.StandardError.ReadToEndAsync();
        try
        {
            proc.StandardInput.Write(stateJson);
            proc.StandardInput.Close();
        }
        catch (IOException)
        {
            // A hook that does not read its stdin is still a valid hook.
        }

        var timeout = hook.Timeout is > 0 ? hook.Timeout.Value * 1000 : -1;
        if (!proc.WaitForExit(timeout))
        {
            proc.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{phase} hook {hook.Path} timed out after {hook.Timeout} s");
        }

        if (proc.ExitCode != 0)
        {
            var text = new StringBuilder(stderr.Result.Trim()).ToString();
            throw new InvalidOperationException($"{phase} hook {hook.Path} exited with status {proc.ExitCode}{(text.Length > 0 ? ": " + text : "")}");
        }
    }
}
