namespace PSContainers.Core.Network.Cni;

/// <summary>A CNI plugin's error result (spec: code, msg, details), or a failure to run the plugin at all.</summary>
public sealed class CniException : Exception
{
    public CniException(string plugin, int code, string message, string? details = null, Exception? inner = null)
        : base(details is { Length: > 0 } ? $"CNI plugin {plugin} failed: {message} ({details})" : $"CNI plugin {plugin} failed: {message}", inner)
    {
        Plugin = plugin;
        Code = code;
        Details = details;
    }

    public string Plugin { get; }

    /// <summary>The spec's error code: 1-99 are the spec's own (e.g. 7 invalid network config, 11 try again later), 100+ the plugin's.</summary>
    public int Code { get; }

    public string? Details { get; }
}
