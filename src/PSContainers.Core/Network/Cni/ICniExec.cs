namespace PSContainers.Core.Network.Cni;

/// <summary>How the CNI runtime finds and runs plugins (libcni's invoke.Exec seam): processes in production, replaceable in tests.</summary>
public interface ICniExec
{
    /// <summary>The first executable named plugin in the directories, or null.</summary>
    string? FindInPath(string plugin, IReadOnlyList<string> directories);

    /// <summary>Runs the plugin with the config on stdin and the CNI_* environment; returns stdout. A failure throws <see cref="CniException"/>.</summary>
    byte[] ExecPlugin(string pluginPath, byte[] stdinData, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken);
}
