using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PSContainers.Core.Containers;
using PSContainers.Core.Network.Cni;
using PSContainers.Core.State;
using PSContainers.Native;

namespace PSContainers.Core.Network;

/// <summary>The engine's networks: a CNI conflist and a record per network under ROOT/networks, the default bridge made on first use.</summary>
public sealed partial class NetworkService
{
    /// <summary>The default network's name, as docker's.</summary>
    public const string DefaultNetworkName = "bridge";

    // Podman's default network; ours must not overlap it even when podman has not made it yet.
    private static readonly Ipv4Subnet PodmanDefault = Ipv4Subnet.Parse("10.88.0.0/16", "podman's subnet");

    // Where the engine picks subnets of its own: /24s of 10.90.0.0-10.127.255.0 (podman counts up from 10.89.0.0/24).
    private const uint PoolStart = 10u << 24 | 90u << 16;
    private const int PoolSize = 38 * 256;

    private static readonly JsonSerializerOptions RecordJson = new() { WriteIndented = true };

    private readonly ILogger _log;

    public NetworkService(EnginePaths paths, ILogger? logger = null, ICniExec? exec = null)
    {
        Paths = paths;
        _log = logger ?? NullLogger.Instance;
        Cni = new CniRuntime(NetworkPaths.PluginDirs(), paths.CniCacheDir(), exec, _log);
        Firewall = new NetworkFirewall(paths, _log);
    }

    public EnginePaths Paths { get; }

    public CniRuntime Cni { get; }

    /// <summary>The networks' NAT and isolation rules (per network, not per container).</summary>
    public NetworkFirewall Firewall { get; }

    /// <summary>
    /// Makes sure the packet rules of this root's networks are in place before a container joins one: after a reboot
    /// (an empty run root) or a network made by another process they are written again. Nothing runs when they are.
    /// </summary>
    public void EnsureFirewall(CancellationToken cancellationToken = default)
    {
        // The usual case, checked without the lock: the rules are there.
        if (Firewall.IsWritten(List()))
        {
            return;
        }

        using var held = FileLock.Acquire(Paths.NetworksLock(), cancellationToken: cancellationToken);
        Firewall.Ensure(List());
    }

    public ContainerNetwork Create(NetworkCreateRequest request, CancellationToken cancellationToken = default)
    {
        ValidateName(request.Name);
        if (request.Name is DefaultNetworkName or "none" or "host")
        {
            throw new ContainerEngineException("NetworkExists", $"\"{request.Name}\" is a reserved network name (the default network, none, host); choose another.",
                ContainerErrorKind.ResourceBusy, request.Name);
        }

        using var held = FileLock.Acquire(Paths.NetworksLock(), cancellationToken: cancellationToken);
        var network = CreateLocked(request, isDefault: false);
        new Events.EventService(Paths).Emit(Runtime.Events.EngineEvent.Network, "create", network.Id, new Dictionary<string, string> { ["name"] = network.Name, ["type"] = "bridge" });
        return network;
    }

    /// <summary>The default network, made now if it does not exist yet.</summary>
    public ContainerNetwork EnsureDefault(CancellationToken cancellationToken = default)
    {
        if (TryGet(DefaultNetworkName) is { } existing)
        {
            return existing;
        }

        using var held = FileLock.Acquire(Paths.NetworksLock(), cancellationToken: cancellationToken);
        return TryGet(DefaultNetworkName) ?? CreateLocked(new NetworkCreateRequest { Name = DefaultNetworkName }, isDefault: true);
    }

    public ContainerNetwork? TryGet(string name)
    {
        if (!IsValidName(name))
        {
            return null;
        }

        var file = RecordFile(name);
        if (!File.Exists(file))
        {
            return null;
        }

        var network = JsonSerializer.Deserialize<ContainerNetwork>(File.ReadAllText(file), RecordJson)!;
        network.ConfigFile = ConfigFile(name);
        return network;
    }

    public ContainerNetwork Get(string name) => TryGet(name) ?? throw NotFound(name);

    /// <summary>Networks whose names match any of the wildcard patterns (all when none is given), by name.</summary>
    public IReadOnlyList<ContainerNetwork> List(IReadOnlyCollection<string>? patterns = null)
    {
        if (!Directory.Exists(Paths.NetworksDir()))
        {
            return [];
        }

        var list = new List<ContainerNetwork>();
        foreach (var file in Directory.EnumerateFiles(Paths.NetworksDir(), "*.json"))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if ((patterns is null || patterns.Count == 0 || patterns.Any(p => WildcardMatch(p, name))) && TryGet(name) is { } network)
            {
                list.Add(network);
            }
        }

        return list.OrderBy(n => n.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>The conflist a container's attachment runs: the network's file (the cached copy of ADD serves DEL).</summary>
    public CniConfigList LoadConfig(string name)
    {
        var file = ConfigFile(name);
        if (!File.Exists(file))
        {
            throw NotFound(name);
        }

        try
        {
            return CniConfigList.Parse(File.ReadAllBytes(file), file);
        }
        catch (FormatException e)
        {
            throw new ContainerEngineException("NetworkConfigInvalid", e.Message, ContainerErrorKind.InvalidData, name, e);
        }
    }

    /// <summary>Deletes a network's files; the caller has checked that no container uses it.</summary>
    public void Delete(string name, CancellationToken cancellationToken = default)
    {
        using var held = FileLock.Acquire(Paths.NetworksLock(), cancellationToken: cancellationToken);
        var network = Get(name);
        File.Delete(ConfigFile(name));
        File.Delete(RecordFile(name));
        new Events.EventService(Paths).Emit(Runtime.Events.EngineEvent.Network, "destroy", network.Id, new Dictionary<string, string> { ["name"] = network.Name, ["type"] = "bridge" });
        // The bridge the plugin made (and host-local's directory) go with the network.
        try
        {
            NetLink.DeleteLinkIfExists(network.Bridge);
        }
        catch (SyscallException e)
        {
            _log.LogWarning("deleting the bridge {Bridge} of network {Name}: {Error}", network.Bridge, name, e.Message);
        }

        // Its rules go with it; with the last network, the root's chains and jumps go too.
        try
        {
            Firewall.Ensure(List());
        }
        catch (Exception e) when (e is ContainerEngineException or IOException)
        {
            _log.LogWarning("removing the rules of network {Name}: {Error}", name, e.Message);
        }
        var ipam = Path.Combine(Paths.IpamDir(), name);
        if (Directory.Exists(ipam))
        {
            Directory.Delete(ipam, recursive: true);
        }

        _log.LogDebug("removed network {Name} ({Bridge})", name, network.Bridge);
    }

    public static void ValidateName(string name)
    {
        if (!IsValidName(name))
        {
            throw ContainerEngineException.Invalid($"Invalid network name \"{name}\": use letters, digits, '_', '.' and '-', starting with a letter or digit (at most 64 characters).", name);
        }
    }

    private static bool IsValidName(string name) => name.Length is > 0 and <= 64 && NamePattern().IsMatch(name);

    private ContainerNetwork CreateLocked(NetworkCreateRequest request, bool isDefault)
    {
        if (File.Exists(RecordFile(request.Name)))
        {
            throw new ContainerEngineException("NetworkExists", $"A network named \"{request.Name}\" exists already.", ContainerErrorKind.ResourceBusy, request.Name);
        }

        var taken = List().Select(n => Ipv4Subnet.Parse(n.Subnet, "subnet")).ToList();
        Ipv4Subnet subnet;
        if (request.Subnet is { Length: > 0 } wanted)
        {
            subnet = Parse(() => Ipv4Subnet.Parse(wanted, "-Subnet"));
            if (taken.FirstOrDefault(t => t.Overlaps(subnet)) is { PrefixLength: > 0 } clash)
            {
                throw ContainerEngineException.Invalid($"-Subnet {subnet} overlaps the subnet {clash} of another network; choose another.", wanted);
            }

            if (HostRoutes().FirstOrDefault(r => r.Overlaps(subnet)) is { PrefixLength: > 0 } route)
            {
                throw ContainerEngineException.Invalid($"-Subnet {subnet} overlaps the host's route to {route}; choose another.", wanted);
            }
        }
        else
        {
            subnet = FreeSubnet(taken);
        }

        uint gateway;
        if (request.Gateway is { Length: > 0 } gw)
        {
            if (!Ipv4Subnet.TryParseAddress(gw, out gateway) || !subnet.Contains(gateway) || gateway == subnet.Network || gateway == subnet.Last)
            {
                throw ContainerEngineException.Invalid($"-Gateway \"{gw}\" is not a host address in {subnet}.", gw);
            }
        }
        else
        {
            gateway = subnet.FirstHost;
        }

        Ipv4Subnet? range = null;
        if (request.IPRange is { Length: > 0 } r)
        {
            var parsed = Parse(() => Ipv4Subnet.Parse(r, "-IPRange"));
            if (!subnet.Contains(parsed.Network) || !subnet.Contains(parsed.Last))
            {
                throw ContainerEngineException.Invalid($"-IPRange {parsed} is not inside the subnet {subnet}.", r);
            }

            range = parsed;
        }

        var network = new ContainerNetwork
        {
            Name = request.Name,
            Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            Subnet = subnet.ToString(),
            Gateway = Ipv4Subnet.FormatAddress(gateway),
            IPRange = range?.ToString(),
            Internal = request.Internal,
            IsDefault = isDefault,
            Bridge = BridgeName(request.Name),
            Labels = new Dictionary<string, string>(request.Labels),
            Created = DateTimeOffset.UtcNow,
            ConfigFile = ConfigFile(request.Name),
        };
        Directory.CreateDirectory(Paths.NetworksDir());
        // The bridge's name is this root's and this name's: one that exists now was left by a removed network of the
        // same name (a crash between its record and its link), and the plugin would refuse its old address.
        try
        {
            NetLink.DeleteLinkIfExists(network.Bridge);
        }
        catch (SyscallException e)
        {
            throw new ContainerEngineException("NetworkCreateFailed", $"The bridge {network.Bridge} left by an earlier network \"{request.Name}\" could not be deleted: {e.Message}",
                ContainerErrorKind.OperationFailed, request.Name, e);
        }

        var list = BuildConfig(network, subnet, gateway, range);
        AtomicFile.WriteAllText(ConfigFile(network.Name), Encoding.UTF8.GetString(list.Bytes));
        try
        {
            AtomicFile.WriteAllText(RecordFile(network.Name), JsonSerializer.Serialize(network, RecordJson));
            Firewall.Ensure(List());
        }
        catch
        {
            File.Delete(ConfigFile(network.Name));
            File.Delete(RecordFile(network.Name));
            throw;
        }

        _log.LogDebug("created network {Name}: {Subnet} on bridge {Bridge}", network.Name, network.Subnet, network.Bridge);
        return network;
    }

    /// <summary>
    /// The chain: bridge (host-local addresses, hairpin so a container reaches itself through a published port),
    /// portmap (published ports, also on 127.0.0.1), tuning (a fixed MAC). A container runs portmap and tuning only when
    /// it uses them (ContainerChain). NAT and the isolation of networks are the network's own rules (NetworkFirewall),
    /// written once per network rather than by bridge's ipMasq and the firewall plugin at every start and stop.
    /// </summary>
    private CniConfigList BuildConfig(ContainerNetwork network, Ipv4Subnet subnet, uint gateway, Ipv4Subnet? range)
    {
        var rangeJson = new JsonObject { ["subnet"] = subnet.ToString(), ["gateway"] = Ipv4Subnet.FormatAddress(gateway) };
        if (range is { } r)
        {
            rangeJson["rangeStart"] = Ipv4Subnet.FormatAddress(Math.Max(r.Network, subnet.FirstHost));
            rangeJson["rangeEnd"] = Ipv4Subnet.FormatAddress(Math.Min(r.Last, subnet.LastHost));
        }

        var ipam = new JsonObject
        {
            ["type"] = "host-local",
            ["ranges"] = new JsonArray(new JsonArray(rangeJson)),
            ["dataDir"] = Paths.IpamDir(),
        };
        if (!network.Internal)
        {
            ipam["routes"] = new JsonArray(new JsonObject { ["dst"] = "0.0.0.0/0" });
        }

        var plugins = new List<JsonObject>
        {
            new()
            {
                ["type"] = "bridge", ["bridge"] = network.Bridge, ["isGateway"] = true, ["ipMasq"] = false, ["hairpinMode"] = true,
                ["capabilities"] = new JsonObject { ["ips"] = true }, ["ipam"] = ipam,
            },
            new() { ["type"] = "portmap", ["snat"] = true, ["capabilities"] = new JsonObject { ["portMappings"] = true } },
            new() { ["type"] = "tuning", ["capabilities"] = new JsonObject { ["mac"] = true } },
        };
        return new CniConfigList { Name = network.Name, CniVersion = "1.0.0", Plugins = plugins };
    }

    /// <summary>The plugins a container runs: portmap only with published ports, tuning only with a fixed MAC (each costs a process and iptables calls).</summary>
    public static CniConfigList ContainerChain(CniConfigList list, bool hasPorts, bool hasMac) =>
        list.Where(p => (string?)p["type"] switch
        {
            "portmap" => hasPorts,
            "tuning" => hasMac || p["sysctl"] is JsonObject { Count: > 0 },
            _ => true,
        });

    private Ipv4Subnet FreeSubnet(List<Ipv4Subnet> taken)
    {
        var avoid = new List<Ipv4Subnet>(taken) { PodmanDefault };
        avoid.AddRange(HostRoutes());
        avoid.AddRange(OtherEngineSubnets());
        // Each storage root starts at its own place in the pool, so two engines on one host (tests, users) rarely pick the same /24.
        var start = (int)(BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(Paths.Root))) % PoolSize);
        for (var i = 0; i < PoolSize; i++)
        {
            var candidate = new Ipv4Subnet(PoolStart + (uint)((start + i) % PoolSize) * 256, 24);
            if (!avoid.Any(a => a.Overlaps(candidate)))
            {
                return candidate;
            }
        }

        throw new ContainerEngineException("NetworkPoolExhausted", "No free /24 is left in 10.90.0.0-10.127.255.0; give -Subnet.", ContainerErrorKind.ResourceBusy);
    }

    /// <summary>The host's IPv4 routes except the default one (/proc/net/route: little-endian hex destination and mask).</summary>
    private static List<Ipv4Subnet> HostRoutes()
    {
        var routes = new List<Ipv4Subnet>();
        foreach (var line in File.ReadLines("/proc/net/route").Skip(1))
        {
            var f = line.Split('\t', StringSplitOptions.TrimEntries);
            if (f.Length < 8 || !uint.TryParse(f[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var dst)
                || !uint.TryParse(f[7], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask) || mask == 0)
            {
                continue;
            }

            var prefix = System.Numerics.BitOperations.PopCount(mask);
            routes.Add(new Ipv4Subnet(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(dst), prefix));
        }

        return routes;
    }

    /// <summary>Subnets podman's networks (netavark's and CNI's configs) already claim on this host.</summary>
    private static List<Ipv4Subnet> OtherEngineSubnets()
    {
        var found = new List<Ipv4Subnet>();
        foreach (var dir in new[] { "/etc/containers/networks", "/etc/cni/net.d" })
        {
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(dir))
            {
                try
                {
                    foreach (Match m in SubnetInJson().Matches(File.ReadAllText(file)))
                    {
                        if (TryParseSubnet(m.Groups[1].Value) is { } s)
                        {
                            found.Add(s);
                        }
                    }
                }
                catch (IOException)
                {
                }
            }
        }

        return found;
    }

    private static Ipv4Subnet? TryParseSubnet(string text)
    {
        try
        {
            return Ipv4Subnet.Parse(text, "subnet");
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static Ipv4Subnet Parse(Func<Ipv4Subnet> parse)
    {
        try
        {
            return parse();
        }
        catch (FormatException e)
        {
            throw ContainerEngineException.Invalid(e.Message + ".");
        }
    }

    /// <summary>psc + 10 hex of the storage root and name: unique per engine and network within IFNAMSIZ (15).</summary>
    private string BridgeName(string name) =>
        "psc" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Paths.Root + "\n" + name)))[..10];

    private string ConfigFile(string name) => Path.Combine(Paths.NetworksDir(), name + ".conflist");

    private string RecordFile(string name) => Path.Combine(Paths.NetworksDir(), name + ".json");

    public static ContainerEngineException NotFound(string name) =>
        new("NetworkNotFound", $"No network is named \"{name}\". Get-ContainerNetwork lists the networks; New-ContainerNetwork makes one.", ContainerErrorKind.NotFound, name);

    private static bool WildcardMatch(string pattern, string name) =>
        Regex.IsMatch(name, "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$");

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("\"subnet\"\\s*:\\s*\"([0-9./]+)\"")]
    private static partial Regex SubnetInJson();
}
