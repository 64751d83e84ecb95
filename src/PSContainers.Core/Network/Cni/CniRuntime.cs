using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace PSContainers.Core.Network.Cni;

/// <summary>
/// A CNI runtime (spec 1.0, after libcni's api.go): runs a conflist's chain for ADD, CHECK and DEL with prevResult
/// threaded through, and caches each ADD's result and config per (network, container, interface) so that DEL runs
/// with the config ADD used, also after a crash or after the network's file changed.
/// </summary>
public sealed class CniRuntime
{
    private const string CacheKind = "cniCacheV1";
    private readonly IReadOnlyList<string> _pluginDirs;
    private readonly ICniExec _exec;
    private readonly ILogger _log;

    public CniRuntime(IReadOnlyList<string> pluginDirs, string cacheDir, ICniExec? exec = null, ILogger? logger = null)
    {
        _pluginDirs = pluginDirs;
        CacheDir = cacheDir;
        _exec = exec ?? new ProcessCniExec();
        _log = logger ?? NullLogger.Instance;
    }

    public string CacheDir { get; }

    /// <summary>ADD of every plugin in order, each getting the one before's result; the final result is cached and returned.</summary>
    /// <remarks>A failing plugin makes the runtime DEL the whole chain (the spec lets DEL run for plugins that never got ADD), so nothing half-made stays.</remarks>
    public JsonObject AddNetworkList(CniConfigList list, CniRuntimeConf rt, CancellationToken cancellationToken = default)
    {
        JsonObject? result = null;
        try
        {
            foreach (var plugin in list.Plugins)
            {
                var output = Invoke("ADD", list, plugin, rt, result, cancellationToken);
                result = ParseResult(output, (string)plugin["type"]!);
            }
        }
        catch (Exception e) when (e is CniException or FormatException or OperationCanceledException)
        {
            try
            {
                DelPlugins(list, rt, result, CancellationToken.None);
            }
            catch (CniException d)
            {
                _log.LogWarning("undoing the failed ADD of {Network} for {Container}: {Error}", list.Name, rt.ContainerId, d.Message);
            }

            throw;
        }

        result ??= new JsonObject { ["cniVersion"] = list.CniVersion };
        WriteCache(list, rt, result);
        return result;
    }

    /// <summary>CHECK of every plugin against the cached ADD result (a no-op for lists that disable it).</summary>
    public void CheckNetworkList(CniConfigList list, CniRuntimeConf rt, CancellationToken cancellationToken = default)
    {
        if (list.DisableCheck || list.CniVersion is "0.3.0" or "0.3.1")
        {
            return;
        }

        var cached = ReadCache(list.Name, rt.ContainerId, rt.IfName)
            ?? throw new CniException(list.Name, 7, $"no cached result for container {rt.ContainerId} on {rt.IfName}: it was never added");
        foreach (var plugin in list.Plugins)
        {
            Invoke("CHECK", list, plugin, rt, cached.Result, cancellationToken);
        }
    }

    /// <summary>DEL of every plugin in reverse order with the cached result as prevResult, then the cache entry goes.</summary>
    public void DelNetworkList(CniConfigList list, CniRuntimeConf rt, CancellationToken cancellationToken = default)
    {
        var cached = ReadCache(list.Name, rt.ContainerId, rt.IfName);
        DelPlugins(list, rt, cached?.Result, cancellationToken);
        File.Delete(CacheFile(list.Name, rt.ContainerId, rt.IfName));
    }

    /// <summary>The attachments cached for a container (or every attachment when containerId is null): what DEL needs after a crash.</summary>
    public IReadOnlyList<CniCachedAttachment> CachedAttachments(string? containerId = null)
    {
        if (!Directory.Exists(CacheDir))
        {
            return [];
        }

        var found = new List<CniCachedAttachment>();
        // Container ids are 64 hex: the file name finds a container's entries without parsing everyone's.
        foreach (var file in Directory.EnumerateFiles(CacheDir, containerId is null ? "*.json" : $"*-{containerId}-*.json"))
        {
            if (TryReadCacheFile(file) is { } entry && (containerId is null || entry.ContainerId == containerId))
            {
                found.Add(entry);
            }
        }

        return found;
    }

    /// <summary>The cached attachment of one (network, container, interface), or null.</summary>
    public CniCachedAttachment? ReadCache(string network, string containerId, string ifName) => TryReadCacheFile(CacheFile(network, containerId, ifName));

    private void DelPlugins(CniConfigList list, CniRuntimeConf rt, JsonObject? prevResult, CancellationToken cancellationToken)
    {
        CniException? first = null;
        foreach (var plugin in list.Plugins.Reverse())
        {
            try
            {
                Invoke("DEL", list, plugin, rt, prevResult, cancellationToken);
            }
            catch (CniException e)
            {
                // The rest of the chain still runs: one plugin's failure must not leave the others' rules and addresses behind.
                first ??= e;
            }
        }

        if (first is not null)
        {
            throw first;
        }
    }

    private byte[] Invoke(string command, CniConfigList list, JsonObject plugin, CniRuntimeConf rt, JsonObject? prevResult, CancellationToken cancellationToken)
    {
        var type = (string)plugin["type"]!;
        var path = _exec.FindInPath(type, _pluginDirs)
            ?? throw new CniException(type, 7, $"the plugin \"{type}\" is not in {string.Join(":", _pluginDirs)}; install containernetworking-plugins");
        var config = BuildConfig(list, plugin, rt, prevResult);
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["CNI_COMMAND"] = command,
            ["CNI_CONTAINERID"] = rt.ContainerId,
            ["CNI_NETNS"] = rt.NetNs,
            ["CNI_IFNAME"] = rt.IfName,
            ["CNI_ARGS"] = string.Join(';', rt.Args.Select(a => $"{a.Key}={a.Value}")),
            ["CNI_PATH"] = string.Join(':', _pluginDirs),
        };
        var started = _log.IsEnabled(LogLevel.Debug) ? System.Diagnostics.Stopwatch.StartNew() : null;
        var output = _exec.ExecPlugin(path, config, env, cancellationToken);
        if (started is not null)
        {
            _log.LogDebug("CNI {Command} {Plugin} on {Network} for {Container}/{IfName}: {Ms:F1} ms", command, type, list.Name, rt.ContainerId, rt.IfName, started.Elapsed.TotalMilliseconds);
        }

        return output;
    }

    /// <summary>One plugin's stdin: its own config with the list's name and version, prevResult, and runtimeConfig for the capabilities it declares.</summary>
    internal static byte[] BuildConfig(CniConfigList list, JsonObject plugin, CniRuntimeConf rt, JsonObject? prevResult)
    {
        var config = (JsonObject)plugin.DeepClone();
        config["name"] = list.Name;
        config["cniVersion"] = list.CniVersion;
        if (prevResult is not null)
        {
            config["prevResult"] = prevResult.DeepClone();
        }

        if (plugin["capabilities"] is JsonObject capabilities)
        {
            var runtimeConfig = new JsonObject();
            foreach (var (capability, enabled) in capabilities)
            {
                if (enabled is JsonValue v && v.TryGetValue<bool>(out var on) && on && rt.CapabilityArgs.TryGetValue(capability, out var value))
                {
                    runtimeConfig[capability] = value?.DeepClone();
                }
            }

            if (runtimeConfig.Count > 0)
            {
                config["runtimeConfig"] = runtimeConfig;
            }
        }

        return JsonSerializer.SerializeToUtf8Bytes(config);
    }

    private static JsonObject ParseResult(byte[] output, string plugin)
    {
        try
        {
            return JsonNode.Parse(output) as JsonObject ?? throw new FormatException("the result is not a JSON object");
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new CniException(plugin, 999, $"its result is not valid JSON: {Encoding.UTF8.GetString(output).Trim()}", inner: e);
        }
    }

    private string CacheFile(string network, string containerId, string ifName) =>
        Path.Combine(CacheDir, $"{network}-{containerId}-{ifName}.json");

    private void WriteCache(CniConfigList list, CniRuntimeConf rt, JsonObject result)
    {
        Directory.CreateDirectory(CacheDir);
        var entry = new JsonObject
        {
            ["kind"] = CacheKind,
            ["containerId"] = rt.ContainerId,
            ["config"] = Convert.ToBase64String(list.Bytes),
            ["ifName"] = rt.IfName,
            ["networkName"] = list.Name,
            ["netns"] = rt.NetNs,
            ["cniArgs"] = new JsonArray(rt.Args.Select(a => (JsonNode)new JsonArray(a.Key, a.Value)).ToArray()),
            ["capabilityArgs"] = new JsonObject(rt.CapabilityArgs.Select(kv => new KeyValuePair<string, JsonNode?>(kv.Key, kv.Value?.DeepClone()))),
            ["result"] = result.DeepClone(),
        };
        State.AtomicFile.WriteAllText(CacheFile(list.Name, rt.ContainerId, rt.IfName), entry.ToJsonString(), durable: false);
    }

    private CniCachedAttachment? TryReadCacheFile(string file)
    {
        try
        {
            if (JsonNode.Parse(File.ReadAllBytes(file)) is not JsonObject entry || (string?)entry["kind"] != CacheKind)
            {
                return null;
            }

            var list = CniConfigList.Parse(Convert.FromBase64String((string)entry["config"]!), file);
            var rt = new CniRuntimeConf
            {
                ContainerId = (string)entry["containerId"]!,
                IfName = (string)entry["ifName"]!,
                NetNs = (string?)entry["netns"] ?? "",
                Args = (entry["cniArgs"] as JsonArray ?? []).OfType<JsonArray>().Select(a => new KeyValuePair<string, string>((string)a[0]!, (string)a[1]!)).ToList(),
                CapabilityArgs = (entry["capabilityArgs"] as JsonObject ?? []).ToDictionary(kv => kv.Key, kv => kv.Value?.DeepClone()),
            };
            return new CniCachedAttachment(list, rt, entry["result"] as JsonObject);
        }
        catch (Exception e) when (e is IOException or JsonException or FormatException or InvalidOperationException or NullReferenceException)
        {
            _log.LogDebug("skipping the CNI cache file {File}: {Error}", file, e.Message);
            return null;
        }
    }
}
