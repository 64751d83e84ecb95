using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using PSContainers.Core.Network;
using PSContainers.Core.Network.Cni;
using PSContainers.Core.State;
using PSContainers.Native;
using PSContainers.Runtime.Container;
using PSContainers.Runtime.Spec;
using Process = System.Diagnostics.Process;

namespace PSContainers.Core.Containers;

// Container networks: the create-time checks, the netns and CNI chain at each start, teardown on every path, names in /etc/hosts.
public sealed partial class ContainerService : IContainerNetworkService
{
    private const string ContainerModePrefix = "container:";
    private static readonly TimeSpan NetnsToolTimeout = TimeSpan.FromSeconds(30);

    private NetworkService? _networks;

    public NetworkService Networks => _networks ??= new NetworkService(Paths, _log);

    /// <summary>none, host, container:NAME, or a network name (empty: the default network).</summary>
    private static bool UsesCni(ContainerCreateRequest config) =>
        config.Network is not ("none" or "host") && !config.Network.StartsWith(ContainerModePrefix, StringComparison.Ordinal);

    /// <summary>Checks and resolves the network options of a new container before anything is written.</summary>
    private void PrepareNetworking(ContainerCreateRequest request, CancellationToken cancellationToken)
    {
        var options = request.Networking ??= new NetworkOptions();
        var primary = options.Attachments.FirstOrDefault();
        if (options.Attachments.Count > 1)
        {
            throw ContainerEngineException.Invalid("A new container joins one network; connect it to more with Connect-ContainerNetwork.");
        }

        if (!UsesCni(request))
        {
            var given = new List<string>();
            if (primary is { Aliases.Count: > 0 }) given.Add("-NetworkAlias");
            if (primary is { IPAddress: not null }) given.Add("-IPAddress");
            if (primary is { MacAddress: not null }) given.Add("-MacAddress");
            if (options.Publish.Count > 0) given.Add("-Publish");
            if (options.PublishAll) given.Add("-PublishAll");
            if (options.Dns.Count > 0) given.Add("-Dns");
            if (options.DnsSearch.Count > 0) given.Add("-DnsSearch");
            if (options.DnsOptions.Count > 0) given.Add("-DnsOption");
            if (options.AddHosts.Count > 0) given.Add("-AddHost");
            if (options.Links.Count > 0) given.Add("-Link");
            if (given.Count > 0)
            {
                throw ContainerEngineException.Invalid($"{string.Join(", ", given)} need a container network; -Network {request.Network} has none of its own.");
            }

            options.Attachments.Clear();
            if (request.Network.StartsWith(ContainerModePrefix, StringComparison.Ordinal))
            {
                var other = request.Network[ContainerModePrefix.Length..];
                var otherId = Store.Resolve(other);
                if (Store.TryLoad(otherId)?.Config.Network.StartsWith(ContainerModePrefix, StringComparison.Ordinal) == true)
                {
                    throw ContainerEngineException.Invalid($"Container {other} shares the network of another container itself; name that one in -Network container:NAME.");
                }

                request.Network = ContainerModePrefix + otherId;
            }

            return;
        }

        var network = string.IsNullOrEmpty(request.Network) || request.Network == NetworkService.DefaultNetworkName
            ? Networks.EnsureDefault(cancellationToken)
            : Networks.Get(request.Network);
        request.Network = network.Name;
        primary ??= new NetworkAttachment();
        primary.Network = network.Name;
        options.Attachments = [primary];
        ValidateAttachment(primary, network);
        foreach (var dns in options.Dns)
        {
            if (!IPAddress.TryParse(dns, out _))
            {
                throw ContainerEngineException.Invalid($"-Dns \"{dns}\" is not an IP address.", dns);
            }
        }

        foreach (var entry in options.AddHosts)
        {
            ParseAddHost(entry);
        }

        for (var i = 0; i < options.Links.Count; i++)
        {
            var (target, alias) = ParseLink(options.Links[i]);
            // Stored by the linked container's name, which the hosts file matches; the container must exist now, as docker's.
            var linked = Store.TryLoad(Store.Resolve(target)) ?? throw ContainerEngineException.NotFound(target);
            options.Links[i] = $"{(linked.Name.Length > 0 ? linked.Name : linked.Id)}:{alias}";
        }

        foreach (var publish in options.Publish)
        {
            ParsePort(publish);
        }

        if (options.PublishAll && request.ExposedPorts is not { Count: > 0 })
        {
            throw ContainerEngineException.Invalid("-PublishAll publishes the ports the image exposes, and this image exposes none; use -Publish.");
        }
    }

    private static void ValidateAttachment(NetworkAttachment attachment, ContainerNetwork network)
    {
        foreach (var alias in attachment.Aliases)
        {
            if (!HostnamePattern().IsMatch(alias))
            {
                throw ContainerEngineException.Invalid($"-NetworkAlias \"{alias}\" is not a host name (letters, digits, '-', '.').", alias);
            }
        }

        if (attachment.IPAddress is { } ip)
        {
            var subnet = Ipv4Subnet.Parse(network.Subnet, "subnet");
            if (!Ipv4Subnet.TryParseAddress(ip, out var address) || !subnet.Contains(address) || address == subnet.Network || address == subnet.Last
                || ip == network.Gateway)
            {
                throw ContainerEngineException.Invalid($"-IPAddress \"{ip}\" is not a free host address of network {network.Name} ({network.Subnet}, gateway {network.Gateway}).", ip);
            }
        }

        if (attachment.MacAddress is { } mac && !MacPattern().IsMatch(mac))
        {
            throw ContainerEngineException.Invalid($"-MacAddress \"{mac}\" is not a MAC address such as 02:42:ac:11:00:02.", mac);
        }
    }

    private static (string Name, string Ip) ParseAddHost(string entry)
    {
        var colon = entry.IndexOf(':');
        var name = colon > 0 ? entry[..colon] : "";
        var ip = colon > 0 ? entry[(colon + 1)..] : "";
        if (!HostnamePattern().IsMatch(name) || !IPAddress.TryParse(ip, out _))
        {
            throw ContainerEngineException.Invalid($"-AddHost \"{entry}\" is not name:ip (e.g. db:10.90.0.5).", entry);
        }

        return (name, ip);
    }

    private static PortRequest ParsePort(string publish)
    {
        try
        {
            return PortRequest.Parse(publish);
        }
        catch (FormatException e)
        {
            throw ContainerEngineException.Invalid(e.Message + ".", publish);
        }
    }

    /// <summary>The bundle's side of networking: the namespace to join and the generated files over the image's.</summary>
    private void ApplyNetworkSpec(Spec spec, string id, ContainerCreateRequest request)
    {
        string? filesOf = null;
        if (UsesCni(request))
        {
            filesOf = id;
        }
        else if (request.Network.StartsWith(ContainerModePrefix, StringComparison.Ordinal))
        {
            var otherId = request.Network[ContainerModePrefix.Length..];
            filesOf = Store.TryLoad(otherId) is { } other && UsesCni(other.Config) ? otherId : null;
        }
        else
        {
            return;
        }

        // The runtime joins the namespace the engine made at start (bind-mounted, so DEL can always enter it).
        var namespaces = spec.Linux!.Namespaces ??= [];
        var ns = namespaces.FirstOrDefault(n => n.Type == LinuxNamespaceType.Network);
        if (ns is null)
        {
            namespaces.Add(ns = new LinuxNamespace { Type = LinuxNamespaceType.Network });
        }

        ns.Path = Paths.NetnsFile(id);
        if (filesOf is null)
        {
            return;
        }

        foreach (var (file, destination) in new[] { (Paths.HostsFile(filesOf), "/etc/hosts"), (Paths.ResolvConfFile(filesOf), "/etc/resolv.conf"), (Paths.HostnameFile(filesOf), "/etc/hostname") })
        {
            spec.Mounts!.Add(new Mount { Destination = destination, Type = "bind", Source = file, Options = ["rbind", "rprivate", "nosuid", "nodev", "noexec"] });
        }
    }

    /// <summary>Makes the container's network before its monitor starts: the netns, the CNI chain per network, the hosts files.</summary>
    private void SetUpNetworking(string id, ContainerCreateRequest config, CancellationToken cancellationToken)
    {
        if (config.Network is "none" or "host")
        {
            return;
        }

        var netns = Paths.NetnsFile(id);
        Directory.CreateDirectory(Path.GetDirectoryName(netns)!);
        if (config.Network.StartsWith(ContainerModePrefix, StringComparison.Ordinal))
        {
            JoinContainerNetns(id, config.Network[ContainerModePrefix.Length..], netns);
            return;
        }

        var started = Stopwatch.StartNew();
        Networks.EnsureFirewall(cancellationToken);
        CreateNetns(netns, config.UidMappings is { Count: > 0 }, cancellationToken);
        try
        {
            var options = config.Networking ?? new NetworkOptions();
            var ports = ResolvePorts(id, config);
            for (var i = 0; i < options.Attachments.Count; i++)
            {
                Attach(id, options.Attachments[i], $"eth{i}", i == 0 ? ports : [], netns, cancellationToken);
            }

            WriteNetworkFiles(id, config);
            RefreshPeers(options.Attachments.Select(a => a.Network), id);
        }
        catch (Exception e) when (e is CniException or ContainerEngineException or IOException or SyscallException or OperationCanceledException)
        {
            TearDownNetworking(id);
            if (e is CniException cni)
            {
                throw new ContainerEngineException("NetworkSetupFailed", $"Container {Store.TryLoad(id)?.Name ?? id}: its network could not be set up: {cni.Message}",
                    ContainerErrorKind.OperationFailed, id, cni);
            }

            throw;
        }

        _log.LogDebug("network of {Id} set up in {Ms:F1} ms", id, started.Elapsed.TotalMilliseconds);
    }

    private JsonObject Attach(string id, NetworkAttachment attachment, string ifName, IReadOnlyList<ContainerPortMapping> ports, string netns, CancellationToken cancellationToken)
    {
        var list = NetworkService.ContainerChain(Networks.LoadConfig(attachment.Network), ports.Count > 0, attachment.MacAddress is not null);
        var rt = new CniRuntimeConf { ContainerId = id, NetNs = netns, IfName = ifName };
        if (ports.Count > 0)
        {
            rt.CapabilityArgs["portMappings"] = new JsonArray(ports.Select(p => (JsonNode)new JsonObject
            {
                ["hostPort"] = p.HostPort, ["containerPort"] = p.ContainerPort, ["protocol"] = p.Protocol, ["hostIP"] = p.HostIP,
            }).ToArray());
        }

        if (attachment.IPAddress is { } ip)
        {
            rt.CapabilityArgs["ips"] = new JsonArray(ip);
        }

        if (attachment.MacAddress is { } mac)
        {
            rt.CapabilityArgs["mac"] = mac;
        }

        return Networks.Cni.AddNetworkList(list, rt, cancellationToken);
    }

    /// <summary>
    /// Undoes the network of a run: DEL of every cached attachment (inside the kept namespace, so the bridge plugin can
    /// remove its NAT rules; with no namespace after a reboot, which the spec allows), then the namespace's bind mount.
    /// </summary>
    private void TearDownNetworking(string id)
    {
        var netns = Paths.NetnsFile(id);
        var hasNetns = File.Exists(netns) && IsMountPoint(netns);
        var networks = new List<string>();
        foreach (var attachment in Networks.Cni.CachedAttachments(id))
        {
            attachment.Runtime.NetNs = hasNetns ? netns : "";
            try
            {
                Networks.Cni.DelNetworkList(attachment.List, attachment.Runtime);
                networks.Add(attachment.Network);
            }
            catch (CniException e)
            {
                // The cache entry stays, so the next clean-up tries again.
                _log.LogWarning("releasing network {Network} of container {Id}: {Error}", attachment.Network, id, e.Message);
            }
        }

        RemoveNetns(netns);
        if (networks.Count > 0)
        {
            RefreshPeers(networks, id);
        }
    }

    /// <summary>A new network namespace at path with lo up, made by pscrun (namespace work stays out of pwsh).</summary>
    private void CreateNetns(string path, bool unprivilegedPorts, CancellationToken cancellationToken)
    {
        RemoveNetns(path);
        var start = new ProcessStartInfo(Launcher.PscrunPath) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "netns", "create", path })
        {
            start.ArgumentList.Add(a);
        }

        if (unprivilegedPorts)
        {
            // A mapped container's root holds no capability over this (host-owned) namespace: see NetnsCommand.
            start.ArgumentList.Add("--unprivileged-ports");
        }

        using var process = Process.Start(start) ?? throw new ContainerEngineException("NetworkSetupFailed", $"{Launcher.PscrunPath} did not start.", ContainerErrorKind.OperationFailed);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        if (!process.WaitForExit(NetnsToolTimeout))
        {
            process.Kill();
            throw new ContainerEngineException("NetworkSetupFailed", "pscrun netns create did not finish.", ContainerErrorKind.Timeout);
        }

        if (process.ExitCode != 0)
        {
            throw new ContainerEngineException("NetworkSetupFailed", $"Cannot make a network namespace at {path}: {errors.GetAwaiter().GetResult().Trim()}", ContainerErrorKind.OperationFailed, path);
        }
    }

    /// <summary>container:NAME: our namespace file is a bind of the other container's (it must run), so the spec never changes.</summary>
    private void JoinContainerNetns(string id, string otherId, string netns)
    {
        var other = Store.TryLoad(otherId)
            ?? throw new ContainerEngineException("ContainerNotFound", $"The container whose network this one shares ({otherId}) no longer exists.", ContainerErrorKind.NotFound, otherId);
        var source = Paths.NetnsFile(otherId);
        if (!(File.Exists(source) && IsMountPoint(source)))
        {
            var r = TryLoadRuntimeRecord(otherId);
            source = r is not null && ProcStat.IsAlive(r.Pid, r.PidStartTime)
                ? $"/proc/{r.Pid}/ns/net"
                : throw new ContainerEngineException("ContainerNotRunning", $"Container {other.Name} is not running; start it before a container that shares its network.",
                    ContainerErrorKind.InvalidState, other.Name);
        }

        RemoveNetns(netns);
        using (File.Create(netns))
        {
        }

        if (Libc.Mount(source, netns, null, Consts.MS_BIND, null) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            File.Delete(netns);
            throw new ContainerEngineException("NetworkSetupFailed", $"Cannot join the network of container {other.Name}: mount errno {errno}.", ContainerErrorKind.OperationFailed, other.Name);
        }
    }

    private static void RemoveNetns(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        for (var i = 0; i < 8 && IsMountPoint(path); i++)
        {
            Libc.Umount2(path, Consts.MNT_DETACH);
        }

        File.Delete(path);
    }

    /// <summary>-Publish and -PublishAll as host ports: a port in use (by a program or another container) is an error before the start.</summary>
    private List<ContainerPortMapping> ResolvePorts(string id, ContainerCreateRequest config)
    {
        var options = config.Networking ?? new NetworkOptions();
        var wanted = options.Publish.Select(ParsePort).ToList();
        if (options.PublishAll)
        {
            foreach (var exposed in config.ExposedPorts ?? [])
            {
                var request = ParsePort(exposed);
                if (!wanted.Any(w => w.ContainerPort == request.ContainerPort && w.Protocol == request.Protocol))
                {
                    wanted.Add(request);
                }
            }
        }

        var taken = Networks.Cni.CachedAttachments()
            .Where(a => a.ContainerId != id && a.Runtime.CapabilityArgs.TryGetValue("portMappings", out _))
            .SelectMany(a => (a.Runtime.CapabilityArgs["portMappings"] as JsonArray ?? []).OfType<JsonObject>())
            .Select(m => ((string?)m["hostIP"] ?? "", (int)m["hostPort"]!, (string?)m["protocol"] ?? "tcp"))
            .ToList();
        var result = new List<ContainerPortMapping>();
        foreach (var w in wanted)
        {
            bool Free(int port) =>
                !taken.Any(t => t.Item2 == port && t.Item3 == w.Protocol && (t.Item1 == "" || w.HostIP == "" || t.Item1 == w.HostIP))
                && !result.Any(r => r.HostPort == port && r.Protocol == w.Protocol)
                && PortBindable(w.HostIP, port, w.Protocol);
            int chosen;
            if (w.HostPortStart == 0)
            {
                chosen = Enumerable.Range(0, 20).Select(_ => EphemeralPort(w.HostIP, w.Protocol)).FirstOrDefault(Free);
            }
            else
            {
                chosen = Enumerable.Range(w.HostPortStart, w.HostPortEnd - w.HostPortStart + 1).FirstOrDefault(Free);
            }

            if (chosen == 0)
            {
                var which = w.HostPortStart == 0 ? "no free host port was found" : w.HostPortStart == w.HostPortEnd
                    ? $"host port {(w.HostIP.Length > 0 ? w.HostIP + ":" : "")}{w.HostPortStart}/{w.Protocol} is already in use"
                    : $"every host port in {w.HostPortStart}-{w.HostPortEnd}/{w.Protocol} is in use";
                throw new ContainerEngineException("HostPortInUse", $"Cannot publish container port {w.ContainerPort}/{w.Protocol}: {which}. Choose another with -Publish.",
                    ContainerErrorKind.ResourceBusy, w.ToString());
            }

            result.Add(new ContainerPortMapping(w.HostIP, chosen, w.ContainerPort, w.Protocol));
        }

        return result;
    }

    private static bool PortBindable(string hostIp, int port, string protocol)
    {
        using var socket = protocol == "udp"
            ? new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)
            : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        try
        {
            socket.Bind(new IPEndPoint(hostIp.Length == 0 ? IPAddress.Any : IPAddress.Parse(hostIp), port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int EphemeralPort(string hostIp, string protocol)
    {
        using var socket = protocol == "udp"
            ? new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)
            : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(hostIp.Length == 0 ? IPAddress.Any : IPAddress.Parse(hostIp), 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>The container's endpoints while it is attached, from the CNI results cached at ADD.</summary>
    private IReadOnlyList<ContainerNetworkEndpoint> EndpointsOf(string id, ContainerCreateRequest config)
    {
        if (!UsesCni(config))
        {
            return [];
        }

        var endpoints = new List<ContainerNetworkEndpoint>();
        foreach (var attachment in Networks.Cni.CachedAttachments(id).OrderBy(a => a.IfName, StringComparer.Ordinal))
        {
            var result = attachment.Result;
            var interfaces = result?["interfaces"] as JsonArray ?? [];
            var ipEntry = (result?["ips"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault();
            var address = (string?)ipEntry?["address"];
            var ifIndex = (int?)ipEntry?["interface"];
            var mac = ifIndex is { } n && n < interfaces.Count ? (string?)interfaces[n]?["mac"] : null;
            var slash = address?.IndexOf('/') ?? -1;
            endpoints.Add(new ContainerNetworkEndpoint
            {
                Network = attachment.Network,
                Interface = attachment.IfName,
                IPAddress = slash > 0 ? address![..slash] : address,
                PrefixLength = slash > 0 ? int.Parse(address![(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture) : 0,
                Gateway = (string?)ipEntry?["gateway"],
                MacAddress = mac,
                Aliases = config.Networking?.Attachments.FirstOrDefault(a => a.Network == attachment.Network)?.Aliases ?? [],
            });
        }

        return endpoints;
    }

    /// <summary>The ports published while the container runs (the mappings its primary network's portmap got).</summary>
    private IReadOnlyList<ContainerPortMapping> PortsOf(string id, ContainerCreateRequest config)
    {
        if (!UsesCni(config))
        {
            return [];
        }

        var ports = new List<ContainerPortMapping>();
        foreach (var attachment in Networks.Cni.CachedAttachments(id))
        {
            if (attachment.Runtime.CapabilityArgs.TryGetValue("portMappings", out var mappings) && mappings is JsonArray array)
            {
                ports.AddRange(array.OfType<JsonObject>().Select(m => new ContainerPortMapping(
                    (string?)m["hostIP"] ?? "", (int)m["hostPort"]!, (int)m["containerPort"]!, (string?)m["protocol"] ?? "tcp")));
            }
        }

        return ports;
    }

    /// <summary>Writes the container's hostname, resolv.conf and hosts (in place: they are bind-mounted while it runs).</summary>
    private void WriteNetworkFiles(string id, ContainerCreateRequest config)
    {
        var options = config.Networking ?? new NetworkOptions();
        var hostname = string.IsNullOrEmpty(config.Hostname) ? id[..12] : config.Hostname;
        ContainerNetworkFiles.WriteInPlace(Paths.HostnameFile(id), hostname + "\n");
        ContainerNetworkFiles.WriteInPlace(Paths.ResolvConfFile(id), ContainerNetworkFiles.ResolvConf(options.Dns, options.DnsSearch, options.DnsOptions));
        WriteHosts(id);
        OwnNetworkFiles(id, config);
    }

    private void WriteHosts(string id)
    {
        var record = Store.TryLoad(id);
        if (record is null || !Directory.Exists(Paths.ContainerDir(id)))
        {
            return;
        }

        var mine = EndpointsOf(id, record.Config);
        var hostname = string.IsNullOrEmpty(record.Config.Hostname) ? id[..12] : record.Config.Hostname;
        var self = mine.Where(e => e.IPAddress is not null)
            .Select(e => (e.IPAddress!, (IReadOnlyList<string>)[hostname, .. NamesOf(record), .. e.Aliases])).ToList();
        var peers = new List<(string, IReadOnlyList<string>)>();
        var networks = mine.Select(e => e.Network).ToHashSet(StringComparer.Ordinal);
        foreach (var peer in Networks.Cni.CachedAttachments().Where(a => a.ContainerId != id && networks.Contains(a.Network)).GroupBy(a => a.ContainerId))
        {
            if (Store.TryLoad(peer.Key) is not { } other)
            {
                continue;
            }

            foreach (var endpoint in EndpointsOf(peer.Key, other.Config).Where(e => networks.Contains(e.Network) && e.IPAddress is not null))
            {
                var otherHost = string.IsNullOrEmpty(other.Config.Hostname) ? peer.Key[..12] : other.Config.Hostname;
                peers.Add((endpoint.IPAddress!, [.. NamesOf(other), .. endpoint.Aliases, otherHost, .. LinkAliasesFor(record, other)]));
            }
        }

        var extra = (record.Config.Networking?.AddHosts ?? []).Select(ParseAddHost);
        ContainerNetworkFiles.WriteInPlace(Paths.HostsFile(id), ContainerNetworkFiles.Hosts(self, peers, extra));
    }

    /// <summary>CONTAINER[:ALIAS] as docker run --link; the alias is the container's name when left out.</summary>
    internal static (string Target, string Alias) ParseLink(string text)
    {
        var parts = text.Split(':');
        var target = parts[0].TrimStart('/');
        // The daemon's own form, /target:/self/alias, names the alias last.
        var alias = parts.Length == 2 ? parts[1][(parts[1].LastIndexOf('/') + 1)..] : target;
        if (parts.Length > 2 || target.Length == 0 || alias.Length == 0 || alias.Any(c => char.IsWhiteSpace(c) || c == '/'))
        {
            throw ContainerEngineException.Invalid($"-Link \"{text}\" is not CONTAINER[:ALIAS].", text);
        }

        return (target, alias);
    }

    // The aliases this container's links give a peer (by the peer's name or id).
    private static IEnumerable<string> LinkAliasesFor(StoredContainer self, StoredContainer peer) =>
        (self.Config.Networking?.Links ?? []).Select(ParseLink)
            .Where(l => l.Target == peer.Name || (l.Target.Length >= 12 && peer.Id.StartsWith(l.Target, StringComparison.Ordinal)))
            .Select(l => l.Alias);

    private static IEnumerable<string> NamesOf(StoredContainer record) =>
        record.Name.Length > 0 ? [record.Name, record.Id[..12]] : [record.Id[..12]];

    /// <summary>Rewrites the hosts files of every other container attached to these networks (a peer came, went or moved).</summary>
    private void RefreshPeers(IEnumerable<string> networks, string except)
    {
        var set = networks.ToHashSet(StringComparer.Ordinal);
        using var held = FileLock.Acquire(Path.Combine(Paths.NetworksDir(), "hosts.lock"));
        foreach (var peer in Networks.Cni.CachedAttachments().Where(a => a.ContainerId != except && set.Contains(a.Network)).Select(a => a.ContainerId).Distinct())
        {
            try
            {
                WriteHosts(peer);
            }
            catch (IOException e)
            {
                _log.LogDebug("updating the hosts file of {Id}: {Error}", peer, e.Message);
            }
        }
    }

    public ContainerNetwork CreateNetwork(NetworkCreateRequest request, CancellationToken cancellationToken = default) => Networks.Create(request, cancellationToken);

    public IReadOnlyList<ContainerNetwork> ListNetworks(IReadOnlyCollection<string>? names = null)
    {
        var users = NetworkUsers();
        var list = Networks.List(names);
        foreach (var network in list)
        {
            network.Containers = users.TryGetValue(network.Name, out var u) ? u : [];
        }

        return list;
    }

    /// <summary>Deletes a network no container is created on; the default network stays (it is made again on first use anyway).</summary>
    public void RemoveNetwork(string name, CancellationToken cancellationToken = default)
    {
        var network = Networks.Get(name);
        if (NetworkUsers().TryGetValue(network.Name, out var users) && users.Count > 0)
        {
            throw new ContainerEngineException("NetworkInUse", $"Network {name} is in use by {string.Join(", ", users)}; remove those containers or disconnect them first.",
                ContainerErrorKind.InvalidState, name);
        }

        Networks.Delete(name, cancellationToken);
    }

    /// <summary>Removes every network no container uses except the default one; returns their names.</summary>
    public IReadOnlyList<string> PruneNetworks(CancellationToken cancellationToken = default)
    {
        var users = NetworkUsers();
        var removed = new List<string>();
        foreach (var network in Networks.List().Where(n => !n.IsDefault && !users.ContainsKey(n.Name)))
        {
            Networks.Delete(network.Name, cancellationToken);
            removed.Add(network.Name);
        }

        return removed;
    }

    private Dictionary<string, List<string>> NetworkUsers()
    {
        var users = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var id in Store.Ids())
        {
            if (Store.TryLoad(id) is not { } record)
            {
                continue;
            }

            foreach (var attachment in record.Config.Networking?.Attachments ?? [])
            {
                (users.TryGetValue(attachment.Network, out var list) ? list : users[attachment.Network] = []).Add(record.Name.Length > 0 ? record.Name : id[..12]);
            }
        }

        return users;
    }

    public ContainerInfo ConnectNetwork(string idOrName, string network, IReadOnlyList<string> aliases, string? ipAddress, CancellationToken cancellationToken = default)
    {
        var id = Store.Resolve(idOrName);
        using (Store.LockContainer(id, cancellationToken))
        {
            var record = Store.Load(id);
            if (!UsesCni(record.Config))
            {
                throw ContainerEngineException.Invalid($"Container {record.Name} has -Network {record.Config.Network}; only a container on a container network can join others.", idOrName);
            }

            var target = Networks.Get(network);
            var options = record.Config.Networking ??= new NetworkOptions();
            if (options.Attachments.Any(a => a.Network == target.Name))
            {
                throw new ContainerEngineException("NetworkAlreadyConnected", $"Container {record.Name} is already connected to network {target.Name}.", ContainerErrorKind.ResourceBusy, idOrName);
            }

            var attachment = new NetworkAttachment { Network = target.Name, Aliases = [.. aliases], IPAddress = ipAddress };
            ValidateAttachment(attachment, target);
            var netns = Paths.NetnsFile(id);
            if (InitAlive(id) && File.Exists(netns) && IsMountPoint(netns))
            {
                var used = Networks.Cni.CachedAttachments(id).Select(a => a.IfName).ToHashSet(StringComparer.Ordinal);
                var ifName = Enumerable.Range(0, 64).Select(i => $"eth{i}").First(n => !used.Contains(n));
                Networks.EnsureFirewall(cancellationToken);
                WrapCni(id, () => Attach(id, attachment, ifName, [], netns, cancellationToken));
                options.Attachments.Add(attachment);
                Store.Save(record);
                WriteHosts(id);
                RefreshPeers([target.Name], id);
            }
            else
            {
                options.Attachments.Add(attachment);
                Store.Save(record);
            }

            EmitNetwork("connect", target, id);
        }

        return Get(id);
    }

    public ContainerInfo DisconnectNetwork(string idOrName, string network, CancellationToken cancellationToken = default)
    {
        var id = Store.Resolve(idOrName);
        using (Store.LockContainer(id, cancellationToken))
        {
            var record = Store.Load(id);
            var options = record.Config.Networking ?? new NetworkOptions();
            var attachment = options.Attachments.FirstOrDefault(a => a.Network == network)
                ?? throw new ContainerEngineException("NetworkNotConnected", $"Container {record.Name} is not connected to network {network}.", ContainerErrorKind.InvalidState, network);
            if (Networks.Cni.CachedAttachments(id).FirstOrDefault(a => a.Network == network) is { } cached)
            {
                var netns = Paths.NetnsFile(id);
                cached.Runtime.NetNs = File.Exists(netns) && IsMountPoint(netns) ? netns : "";
                WrapCni(id, () =>
                {
                    Networks.Cni.DelNetworkList(cached.List, cached.Runtime, cancellationToken);
                    return 0;
                });
            }

            options.Attachments.Remove(attachment);
            Store.Save(record);
            WriteHosts(id);
            RefreshPeers([network], id);
            if (Networks.TryGet(network) is { } target)
            {
                EmitNetwork("disconnect", target, id);
            }
        }

        return Get(id);
    }

    /// <summary>docker's network event: the network is the actor, the container an attribute.</summary>
    private void EmitNetwork(string action, ContainerNetwork network, string containerId) =>
        Events.Emit(Runtime.Events.EngineEvent.Network, action, network.Id, new Dictionary<string, string>
        {
            ["name"] = network.Name, ["type"] = "bridge", ["container"] = containerId,
        });

    public IReadOnlyList<ContainerPortMapping> GetPorts(string idOrName)
    {
        var id = Store.Resolve(idOrName);
        return Get(id).Ports;
    }

    private T WrapCni<T>(string id, Func<T> work)
    {
        try
        {
            return work();
        }
        catch (CniException e)
        {
            throw new ContainerEngineException("NetworkSetupFailed", $"Container {Store.TryLoad(id)?.Name ?? id}: {e.Message}", ContainerErrorKind.OperationFailed, id, e);
        }
    }

    [GeneratedRegex("^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,252}[a-zA-Z0-9])?$")]
    private static partial Regex HostnamePattern();

    [GeneratedRegex("^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$")]
    private static partial Regex MacPattern();
}
