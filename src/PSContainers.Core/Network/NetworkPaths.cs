using PSContainers.Core.State;

namespace PSContainers.Core.Network;

/// <summary>Where networks live: conflists and records under the storage root, CNI's cache and addresses beside them, network namespaces on the run root.</summary>
public static class NetworkPaths
{
    /// <summary>Where the engine looks for CNI plugins (Debian's containernetworking-plugins), unless $CNI_PATH says otherwise.</summary>
    public static IReadOnlyList<string> PluginDirs()
    {
        var env = Environment.GetEnvironmentVariable("PSCONTAINERS_CNI_PATH");
        return string.IsNullOrEmpty(env) ? ["/usr/lib/cni", "/opt/cni/bin"] : env.Split(':', StringSplitOptions.RemoveEmptyEntries);
    }

    public static string NetworksDir(this EnginePaths paths) => Path.Combine(paths.Root, "networks");

    public static string NetworksLock(this EnginePaths paths) => Path.Combine(paths.NetworksDir(), "networks.lock");

    public static string CniCacheDir(this EnginePaths paths) => Path.Combine(paths.Root, "cni", "cache");

    /// <summary>host-local's dataDir: one file per address in use, kept until DEL (so an address survives a crash until the engine releases it).</summary>
    public static string IpamDir(this EnginePaths paths) => Path.Combine(paths.Root, "cni", "ipam");

    /// <summary>A running container's network namespace, bind-mounted so that DEL can always enter it and container:NAME can join it.</summary>
    public static string NetnsFile(this EnginePaths paths, string id) => Path.Combine(paths.RunRoot, "netns", id);

    public static string HostsFile(this EnginePaths paths, string id) => Path.Combine(paths.ContainerDir(id), "hosts");

    public static string ResolvConfFile(this EnginePaths paths, string id) => Path.Combine(paths.ContainerDir(id), "resolv.conf");

    public static string HostnameFile(this EnginePaths paths, string id) => Path.Combine(paths.ContainerDir(id), "hostname");
}
