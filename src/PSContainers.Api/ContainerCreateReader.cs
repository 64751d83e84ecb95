using System.Globalization;
using System.Text.Json;
using PSContainers.Core.Containers;
using PSContainers.Core.Network;

namespace PSContainers.Api;

/// <summary>
/// Turns the body of POST /containers/create (docker's Config with HostConfig and NetworkingConfig) into the
/// engine's ContainerCreateRequest. Every field is either honoured or, when it holds anything but its default,
/// refused with a 400 that names it: docker clients send every field, mostly empty, so the test is "non-default".
/// </summary>
internal static class ContainerCreateReader
{
    // Config fields read below; the rest must be absent or default.
    private static readonly HashSet<string> ConfigFields =
    [
        "Hostname", "User", "AttachStdin", "AttachStdout", "AttachStderr", "ExposedPorts", "Tty", "OpenStdin", "StdinOnce", "Env",
        "Cmd", "Image", "Volumes", "WorkingDir", "Entrypoint", "Labels", "StopSignal", "StopTimeout", "HostConfig", "NetworkingConfig",
        "ArgsEscaped", "NetworkDisabled", "Healthcheck", "Domainname",
    ];

    private static readonly HashSet<string> HostConfigFields =
    [
        "Binds", "Mounts", "PortBindings", "PublishAllPorts", "NetworkMode", "Memory", "MemorySwap", "MemoryReservation", "NanoCpus", "CpuShares",
        "CpuPeriod", "CpuQuota", "CpusetCpus", "CpusetMems", "PidsLimit", "BlkioWeight", "RestartPolicy", "CapAdd", "CapDrop", "Privileged",
        "SecurityOpt", "Tmpfs", "Init", "AutoRemove", "LogConfig", "ReadonlyRootfs", "ShmSize", "Ulimits", "VolumesFrom", "Dns",
        "DnsSearch", "DnsOptions", "ExtraHosts", "ConsoleSize", "MemorySwappiness", "Links", "Annotations", "OomKillDisable", "CgroupnsMode", "UsernsMode",
        "Isolation", "ContainerIDFile",
        "Devices", "DeviceCgroupRules", "Sysctls", "GroupAdd", "OomScoreAdj", "PidMode", "IpcMode", "UTSMode",
    ];

    /// <summary>Reads a create body; name is the ?name= query parameter; baseDirectory resolves nothing (API binds must be absolute).</summary>
    public static ContainerCreateRequest Read(JsonElement body, string? name)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw ApiException.BadRequest("the request body must be a JSON object (docker's container Config)");
        }

        var request = new ContainerCreateRequest { Name = string.IsNullOrEmpty(name) ? null : name };
        RefuseUnknown(body, ConfigFields, "");
        request.Image = Str(body, "Image") is { Length: > 0 } image ? image : throw ApiException.BadRequest("Config.Image: an image is required");
        request.Hostname = Str(body, "Hostname") is { Length: > 0 } host ? host : null;
        request.Domainname = Str(body, "Domainname") is { Length: > 0 } domain ? domain : null;
        request.User = Str(body, "User") is { Length: > 0 } user ? user : null;
        request.WorkingDirectory = Str(body, "WorkingDir") is { Length: > 0 } wd ? wd : null;
        request.Tty = Bool(body, "Tty");
        request.OpenStdin = Bool(body, "OpenStdin");
        request.Command = StrList(body, "Cmd") ?? [];
        request.Entrypoint = StrList(body, "Entrypoint");
        request.StopSignal = Str(body, "StopSignal") is { Length: > 0 } sig ? sig : null;
        request.StopTimeoutSeconds = Int(body, "StopTimeout");
        foreach (var (key, value) in StrMap(body, "Labels"))
        {
            request.Labels[key] = value;
        }

        foreach (var entry in StrList(body, "Env") ?? [])
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                // docker run -e NAME (no value, not set on the client) arrives bare: it means "unset", as docker treats it.
                continue;
            }

            request.Environment[entry[..eq]] = entry[(eq + 1)..];
        }

        // Config.Volumes: anonymous volumes at these paths (docker run -v /data, compose's anonymous volumes).
        foreach (var path in Keys(body, "Volumes"))
        {
            request.Volumes.Add(path);
        }

        if (body.TryGetProperty("Healthcheck", out var health) && health.ValueKind == JsonValueKind.Object)
        {
            // docker's Config.Healthcheck is the image's HEALTHCHECK shape (durations in nanoseconds); the engine merges it.
            RefuseUnknown(health, ["Test", "Interval", "Timeout", "StartPeriod", "StartInterval", "Retries"], "Healthcheck.");
            // docker-py (compose 1.29) sends the durations it was not given as null: null is the default (0), as docker reads it.
            request.Healthcheck = new Core.Images.Oci.ImageHealthcheck
            {
                Test = health.TryGetProperty("Test", out var test) && test.ValueKind == JsonValueKind.Array ? StrList(health, "Test") : null,
                Interval = Nanoseconds(health, "Interval"),
                Timeout = Nanoseconds(health, "Timeout"),
                StartPeriod = Nanoseconds(health, "StartPeriod"),
                StartInterval = Nanoseconds(health, "StartInterval"),
                Retries = (int)Math.Clamp(Nanoseconds(health, "Retries"), 0, int.MaxValue),
            };
        }

        if (Bool(body, "NetworkDisabled"))
        {
            request.Network = "none";
        }

        var exposed = Keys(body, "ExposedPorts");
        if (body.TryGetProperty("HostConfig", out var hostConfig) && hostConfig.ValueKind == JsonValueKind.Object)
        {
            ReadHostConfig(hostConfig, request, exposed);
        }

        if (body.TryGetProperty("NetworkingConfig", out var networking) && networking.ValueKind == JsonValueKind.Object)
        {
            ReadNetworking(networking, request);
        }

        DropShadowedAnonymousVolumes(request);
        return request;
    }

    // docker-compose sends the image's VOLUME paths in Config.Volumes and the service's volume for the same path in
    // HostConfig.Binds; docker lets the bind or mount win, so an anonymous volume at a destination they cover goes.
    private static void DropShadowedAnonymousVolumes(ContainerCreateRequest request)
    {
        var covered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var volume in request.Volumes.Where(v => v.Contains(':')))
        {
            var parts = volume.Split(':');
            covered.Add(parts[1].TrimEnd('/'));
        }

        foreach (var mount in request.Mounts)
        {
            foreach (var field in mount.Split(','))
            {
                var eq = field.IndexOf('=');
                if (eq > 0 && field[..eq] is "target" or "destination" or "dst")
                {
                    covered.Add(field[(eq + 1)..].TrimEnd('/'));
                }
            }
        }

        request.Volumes.RemoveAll(v => !v.Contains(':') && covered.Contains(v.TrimEnd('/')));
    }

    // Annotations, the OOM killer, the cgroup and user namespace modes; ContainerIDFile is the client's own to write.
    private static void ReadIdentity(JsonElement host, ContainerCreateRequest request)
    {
        foreach (var (key, value) in StrMap(host, "Annotations"))
        {
            request.Annotations[key] = value;
        }

        request.OomKillDisable = Bool(host, "OomKillDisable");
        request.CgroupNamespace = Str(host, "CgroupnsMode") switch
        {
            null or "" => null,
            "host" => "host",
            "private" => "private",
            var other => throw ApiException.BadRequest($"HostConfig.CgroupnsMode \"{other}\" is not a mode: host or private"),
        };
        // docker's --userns takes host only; podman's auto and private (and auto:size=N) map to the engine's -UserNS.
        var userns = Str(host, "UsernsMode");
        if (!string.IsNullOrEmpty(userns) && userns != "host")
        {
            if (userns is not "private" && !userns.StartsWith("auto", StringComparison.Ordinal))
            {
                throw ApiException.BadRequest($"HostConfig.UsernsMode \"{userns}\" is not supported: host, private, auto or auto:size=N");
            }

            request.UserNS = userns;
        }

        if (Str(host, "Isolation") is { Length: > 0 } isolation && isolation != "default")
        {
            throw ApiException.BadRequest($"HostConfig.Isolation \"{isolation}\" is not supported: Linux containers have only the default isolation");
        }
    }

    // A whole number in Healthcheck (durations in nanoseconds, Retries); null or absent is 0.
    private static long Nanoseconds(JsonElement health, string name)
    {
        if (!health.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return 0;
        }

        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n))
        {
            return n;
        }

        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && d == Math.Floor(d) && Math.Abs(d) < long.MaxValue)
        {
            return (long)d;
        }

        throw ApiException.BadRequest($"Healthcheck.{name} must be a whole number (nanoseconds for durations), not {v.GetRawText()}");
    }

    private static void ReadHostConfig(JsonElement host, ContainerCreateRequest request, List<string> exposed)
    {
        RefuseUnknown(host, HostConfigFields, "HostConfig.");
        ReadIdentity(host, request);
        request.Volumes.AddRange(StrList(host, "Binds") ?? []);
        request.VolumesFrom.AddRange(StrList(host, "VolumesFrom") ?? []);
        if (host.TryGetProperty("Mounts", out var mounts) && mounts.ValueKind == JsonValueKind.Array)
        {
            foreach (var mount in mounts.EnumerateArray())
            {
                request.Mounts.Add(MountToCsv(mount));
            }
        }

        foreach (var (path, options) in StrMap(host, "Tmpfs"))
        {
            request.Tmpfs.Add(options.Length > 0 ? $"{path}:{options}" : path);
        }

        var mode = Str(host, "NetworkMode");
        if (!string.IsNullOrEmpty(mode) && request.Network != "none")
        {
            request.Network = DefaultNetwork(mode);
        }

        var networkOptions = request.Networking ?? new NetworkOptions();
        networkOptions.Dns.AddRange(StrList(host, "Dns") ?? []);
        networkOptions.DnsSearch.AddRange(StrList(host, "DnsSearch") ?? []);
        networkOptions.DnsOptions.AddRange(StrList(host, "DnsOptions") ?? []);
        networkOptions.AddHosts.AddRange(StrList(host, "ExtraHosts") ?? []);
        networkOptions.Links.AddRange(StrList(host, "Links") ?? []);
        networkOptions.PublishAll = Bool(host, "PublishAllPorts");
        if (host.TryGetProperty("PortBindings", out var bindings) && bindings.ValueKind == JsonValueKind.Object)
        {
            foreach (var port in bindings.EnumerateObject())
            {
                networkOptions.Publish.AddRange(PortBindings(port));
            }
        }

        request.Networking = networkOptions;
        request.ExposedPorts = exposed.Count > 0 ? exposed : null;

        var resources = request.Resources;
        resources.Memory = Positive(Long(host, "Memory"));
        resources.MemorySwap = Long(host, "MemorySwap") is { } swap && swap != 0 ? swap : null;
        resources.MemoryReservation = Positive(Long(host, "MemoryReservation"));
        resources.CpuShares = Long(host, "CpuShares") is > 0 and var shares ? (ulong)shares : null;
        resources.CpusetCpus = Str(host, "CpusetCpus") is { Length: > 0 } cpus ? cpus : null;
        resources.CpusetMems = Str(host, "CpusetMems") is { Length: > 0 } mems ? mems : null;
        resources.PidsLimit = Long(host, "PidsLimit") is { } pids && pids != 0 ? pids : null;
        resources.BlkioWeight = Long(host, "BlkioWeight") is > 0 and var weight ? checked((ushort)weight) : null;
        var nano = Long(host, "NanoCpus") ?? 0;
        var quota = Long(host, "CpuQuota") ?? 0;
        var period = Long(host, "CpuPeriod") ?? 0;
        if (nano > 0 && quota > 0)
        {
            throw ApiException.BadRequest("Conflicting options: Nano CPUs and CPU Period cannot both be set");
        }

        if (nano > 0)
        {
            resources.Cpus = nano / 1e9;
        }
        else if (quota > 0)
        {
            resources.Cpus = quota / (double)(period > 0 ? period : 100_000);
        }
        else if (period > 0)
        {
            throw ApiException.BadRequest("HostConfig.CpuPeriod without CpuQuota is not supported: the engine sets the period with the quota (use NanoCpus)");
        }

        if (Long(host, "MemorySwappiness") is { } swappiness && swappiness != -1)
        {
            throw ApiException.BadRequest("HostConfig.MemorySwappiness is not supported by PSContainers");
        }

        if (host.TryGetProperty("RestartPolicy", out var restart) && restart.ValueKind == JsonValueKind.Object)
        {
            var policy = Str(restart, "Name") ?? "";
            var retries = Int(restart, "MaximumRetryCount") ?? 0;
            request.Restart = policy switch
            {
                "" or "no" when retries == 0 => null,
                "on-failure" => retries > 0 ? $"on-failure:{retries.ToString(CultureInfo.InvariantCulture)}" : "on-failure",
                "always" or "unless-stopped" when retries == 0 => policy,
                _ => throw ApiException.BadRequest($"HostConfig.RestartPolicy: invalid restart policy \"{policy}\" with MaximumRetryCount {retries}"),
            };
        }

        request.CapAdd.AddRange(StrList(host, "CapAdd") ?? []);
        request.CapDrop.AddRange(StrList(host, "CapDrop") ?? []);
        request.Privileged = Bool(host, "Privileged");
        request.SecurityOpt.AddRange(StrList(host, "SecurityOpt") ?? []);
        request.Init = host.TryGetProperty("Init", out var init) && init.ValueKind == JsonValueKind.True;
        request.AutoRemove = Bool(host, "AutoRemove");
        request.ReadOnly = Bool(host, "ReadonlyRootfs");
        request.ShmSize = Positive(Long(host, "ShmSize"));
        if (host.TryGetProperty("LogConfig", out var log) && log.ValueKind == JsonValueKind.Object)
        {
            var driver = Str(log, "Type") ?? "";
            if (driver is not ("" or "json-file" or "k8s-file"))
            {
                throw ApiException.BadRequest($"HostConfig.LogConfig.Type \"{driver}\" is not supported: PSContainers keeps each container's log in its own file (json-file)");
            }

            if (StrMap(log, "Config").Count > 0)
            {
                throw ApiException.BadRequest($"HostConfig.LogConfig.Config ({string.Join(", ", StrMap(log, "Config").Keys)}) is not supported: the log file has no rotation options");
            }
        }

        if (host.TryGetProperty("Ulimits", out var ulimits) && ulimits.ValueKind == JsonValueKind.Array)
        {
            foreach (var u in ulimits.EnumerateArray())
            {
                request.Ulimits.Add($"{Str(u, "Name")}={Long(u, "Soft")?.ToString(CultureInfo.InvariantCulture)}:{Long(u, "Hard")?.ToString(CultureInfo.InvariantCulture)}");
            }
        }

        if (host.TryGetProperty("Devices", out var devices) && devices.ValueKind == JsonValueKind.Array)
        {
            foreach (var device in devices.EnumerateArray())
            {
                RefuseUnknown(device, ["PathOnHost", "PathInContainer", "CgroupPermissions"], "HostConfig.Devices[].");
                var onHost = Str(device, "PathOnHost") is { Length: > 0 } p ? p : throw ApiException.BadRequest("HostConfig.Devices[].PathOnHost is required");
                var inContainer = Str(device, "PathInContainer") is { Length: > 0 } c ? c : onHost;
                var perms = Str(device, "CgroupPermissions") is { Length: > 0 } r ? r : "rwm";
                request.Devices.Add($"{onHost}:{inContainer}:{perms}");
            }
        }

        request.DeviceCgroupRules.AddRange(StrList(host, "DeviceCgroupRules") ?? []);
        foreach (var (key, value) in StrMap(host, "Sysctls"))
        {
            request.Sysctls[key] = value;
        }

        request.GroupAdd.AddRange(StrList(host, "GroupAdd") ?? []);
        // docker sends 0 when --oom-score-adj is not given, and 0 is also the inherited value here.
        request.OomScoreAdj = Int(host, "OomScoreAdj") is { } adj && adj != 0 ? adj : null;

        request.PidMode = Str(host, "PidMode") is { Length: > 0 } pidMode ? pidMode : null;
        request.IpcMode = Str(host, "IpcMode") is { Length: > 0 } ipcMode ? ipcMode : null;
        request.UtsMode = Str(host, "UTSMode") is { Length: > 0 } utsMode ? utsMode : null;

        if (host.TryGetProperty("ConsoleSize", out var size) && size.ValueKind == JsonValueKind.Array && size.GetArrayLength() == 2)
        {
            request.ConsoleRows = (ushort)Math.Clamp(size[0].GetInt32(), 0, ushort.MaxValue);
            request.ConsoleColumns = (ushort)Math.Clamp(size[1].GetInt32(), 0, ushort.MaxValue);
        }
    }

    private static void ReadNetworking(JsonElement networking, ContainerCreateRequest request)
    {
        RefuseUnknown(networking, ["EndpointsConfig"], "NetworkingConfig.");
        if (!networking.TryGetProperty("EndpointsConfig", out var endpoints) || endpoints.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var options = request.Networking ??= new NetworkOptions();
        var first = true;
        foreach (var endpoint in endpoints.EnumerateObject())
        {
            var e = endpoint.Value;
            RefuseUnknown(e, ["Aliases", "IPAMConfig", "MacAddress", "Links", "NetworkID", "EndpointID", "Gateway", "IPAddress", "IPPrefixLen",
                "IPv6Gateway", "GlobalIPv6Address", "GlobalIPv6PrefixLen", "DriverOpts", "DNSNames"], $"NetworkingConfig.EndpointsConfig.{endpoint.Name}.");
            // An endpoint's links are the same legacy links as HostConfig.Links (the CLI sends --link there for a user network).
            options.Links.AddRange(StrList(e, "Links") ?? []);

            string? ip = null;
            if (e.TryGetProperty("IPAMConfig", out var ipam) && ipam.ValueKind == JsonValueKind.Object)
            {
                RefuseUnknown(ipam, ["IPv4Address"], $"NetworkingConfig.EndpointsConfig.{endpoint.Name}.IPAMConfig.");
                ip = Str(ipam, "IPv4Address") is { Length: > 0 } a ? a : null;
            }

            var attachment = new NetworkAttachment
            {
                Network = endpoint.Name,
                Aliases = StrList(e, "Aliases") ?? [],
                IPAddress = ip,
                MacAddress = Str(e, "MacAddress") is { Length: > 0 } mac ? mac : null,
            };
            var network = DefaultNetwork(endpoint.Name);
            attachment.Network = network;
            if (first && string.IsNullOrEmpty(request.Network))
            {
                // docker run --network N sends N in both NetworkMode and EndpointsConfig; compose may send it only here.
                request.Network = network;
            }

            first = false;
            if (attachment.Aliases.Count > 0 || attachment.IPAddress is not null || attachment.MacAddress is not null
                || attachment.Network != request.Network)
            {
                options.Attachments.Add(attachment);
            }
        }
    }

    /// <summary>docker's names of the default network ("default", "bridge") are the engine's empty name.</summary>
    private static string DefaultNetwork(string name) => name is "default" or "bridge" ? "" : name;

    /// <summary>"80/tcp": [{"HostIp": "", "HostPort": "8080"}] as -Publish values.</summary>
    private static IEnumerable<string> PortBindings(JsonProperty port)
    {
        var containerPort = port.Name;
        if (port.Value.ValueKind != JsonValueKind.Array || port.Value.GetArrayLength() == 0)
        {
            yield return containerPort;
            yield break;
        }

        foreach (var binding in port.Value.EnumerateArray())
        {
            var ip = Str(binding, "HostIp") ?? "";
            var hostPort = Str(binding, "HostPort") ?? "";
            if (ip.Contains(':', StringComparison.Ordinal))
            {
                throw ApiException.BadRequest($"HostConfig.PortBindings[{containerPort}]: IPv6 host address {ip} is not supported; container networks here are IPv4");
            }

            yield return ip.Length > 0 ? $"{ip}:{hostPort}:{containerPort}" : hostPort.Length > 0 ? $"{hostPort}:{containerPort}" : containerPort;
        }
    }

    /// <summary>An API mount object ({Type, Source, Target, ReadOnly, BindOptions, VolumeOptions, TmpfsOptions}) as --mount's CSV.</summary>
    private static string MountToCsv(JsonElement mount)
    {
        RefuseUnknown(mount, ["Type", "Source", "Target", "ReadOnly", "Consistency", "BindOptions", "VolumeOptions", "TmpfsOptions"], "HostConfig.Mounts[].");
        var parts = new List<string> { "type=" + (Str(mount, "Type") ?? "volume") };
        if (Str(mount, "Source") is { Length: > 0 } source)
        {
            parts.Add("source=" + source);
        }

        parts.Add("target=" + (Str(mount, "Target") ?? throw ApiException.BadRequest("HostConfig.Mounts[].Target is required")));
        if (Bool(mount, "ReadOnly"))
        {
            parts.Add("readonly");
        }

        if (mount.TryGetProperty("BindOptions", out var bind) && bind.ValueKind == JsonValueKind.Object)
        {
            RefuseUnknown(bind, ["Propagation", "NonRecursive", "CreateMountpoint"], "HostConfig.Mounts[].BindOptions.");
            if (Str(bind, "Propagation") is { Length: > 0 } propagation)
            {
                parts.Add("bind-propagation=" + propagation);
            }

            if (Bool(bind, "NonRecursive"))
            {
                parts.Add("bind-nonrecursive=true");
            }

            if (Bool(bind, "CreateMountpoint"))
            {
                throw ApiException.BadRequest("HostConfig.Mounts[].BindOptions.CreateMountpoint is not supported: the bind source must exist");
            }
        }

        if (mount.TryGetProperty("VolumeOptions", out var volume) && volume.ValueKind == JsonValueKind.Object)
        {
            RefuseUnknown(volume, ["NoCopy", "Labels", "DriverConfig", "Subpath"], "HostConfig.Mounts[].VolumeOptions.");
            if (Bool(volume, "NoCopy"))
            {
                parts.Add("volume-nocopy");
            }

            if (Str(volume, "Subpath") is { Length: > 0 } subpath)
            {
                parts.Add("volume-subpath=" + subpath);
            }

            foreach (var (key, value) in StrMap(volume, "Labels"))
            {
                parts.Add($"volume-label={key}={value}");
            }

            if (volume.TryGetProperty("DriverConfig", out var driver) && driver.ValueKind == JsonValueKind.Object
                && ((Str(driver, "Name") ?? "") is not ("" or "local") || StrMap(driver, "Options").Count > 0))
            {
                throw ApiException.BadRequest("HostConfig.Mounts[].VolumeOptions.DriverConfig is not supported: volumes use the local driver");
            }
        }

        if (mount.TryGetProperty("TmpfsOptions", out var tmpfs) && tmpfs.ValueKind == JsonValueKind.Object)
        {
            RefuseUnknown(tmpfs, ["SizeBytes", "Mode"], "HostConfig.Mounts[].TmpfsOptions.");
            if (Long(tmpfs, "SizeBytes") is > 0 and var bytes)
            {
                parts.Add("tmpfs-size=" + bytes.ToString(CultureInfo.InvariantCulture));
            }

            if (Long(tmpfs, "Mode") is > 0 and var mode)
            {
                parts.Add("tmpfs-mode=" + Convert.ToString(mode, 8));
            }
        }

        return string.Join(',', parts.Select(p => p.Contains(',', StringComparison.Ordinal) ? "\"" + p + "\"" : p));
    }

    /// <summary>A field we do not read must be absent or hold its default (null, false, 0, "", [] or {}); otherwise it is refused by name.</summary>
    internal static void RefuseUnknown(JsonElement obj, IReadOnlyCollection<string> handled, string prefix)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (!handled.Contains(property.Name) && !IsDefault(property.Value))
            {
                throw ApiException.BadRequest($"{prefix}{property.Name} is not supported by PSContainers (value {Short(property.Value)})");
            }
        }
    }

    internal static bool IsDefault(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined or JsonValueKind.False => true,
        JsonValueKind.Number => value.GetDouble() == 0,
        JsonValueKind.String => value.GetString()!.Length == 0,
        JsonValueKind.Array => value.GetArrayLength() == 0,
        JsonValueKind.Object => value.EnumerateObject().All(p => IsDefault(p.Value)),
        _ => false,
    };

    private static string Short(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length > 80 ? text[..80] + "…" : text;
    }

    private static string? Str(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static bool Bool(JsonElement obj, string name) => obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    private static long? Long(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null;

    private static int? Int(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;

    private static long? Positive(long? value) => value is > 0 ? value : null;

    /// <summary>A list of strings; docker also accepts a single string for Cmd and Entrypoint.</summary>
    private static List<string>? StrList(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var v))
        {
            return null;
        }

        return v.ValueKind switch
        {
            JsonValueKind.Array => v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw ApiException.BadRequest($"{name}: expected strings")).ToList(),
            JsonValueKind.String => [v.GetString()!],
            JsonValueKind.Null => null,
            _ => throw ApiException.BadRequest($"{name}: expected a list of strings"),
        };
    }

    private static Dictionary<string, string> StrMap(JsonElement obj, string name)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in v.EnumerateObject())
            {
                map[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : throw ApiException.BadRequest($"{name}.{p.Name}: expected a string");
            }
        }

        return map;
    }

    private static List<string> Keys(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v.EnumerateObject().Select(p => p.Name).ToList() : [];
}
