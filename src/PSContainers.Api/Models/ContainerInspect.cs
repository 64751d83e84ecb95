using System.Globalization;
using PSContainers.Core.Containers;

namespace PSContainers.Api.Models;

/// <summary>GET /containers/{id}/json (docker inspect): the engine's ContainerInfo in docker's shape.</summary>
internal static class ContainerInspect
{
    private const string ZeroTime = "0001-01-01T00:00:00Z";

    public static object From(ContainerInfo c, string stateDir)
    {
        var config = c.Config;
        var path = c.Command.Count > 0 ? c.Command[0] : "";
        return new Dictionary<string, object?>
        {
            ["Id"] = c.Id,
            ["Created"] = Time(c.Created),
            ["Path"] = path,
            ["Args"] = c.Command.Skip(1).ToList(),
            ["State"] = new Dictionary<string, object?>
            {
                ["Status"] = ContainerFilters.StateName(c.Status),
                ["Running"] = c.Status is ContainerStatus.Running or ContainerStatus.Paused,
                ["Paused"] = c.Status == ContainerStatus.Paused,
                ["Restarting"] = false,
                ["OOMKilled"] = c.OomKilled,
                ["Dead"] = false,
                ["Pid"] = c.Pid,
                ["ExitCode"] = c.ExitCode ?? 0,
                ["Error"] = c.Error ?? "",
                ["StartedAt"] = c.StartedAt is { } s ? Time(s) : ZeroTime,
                ["FinishedAt"] = c.FinishedAt is { } f ? Time(f) : ZeroTime,
                ["Health"] = c.Health is { } h ? new { h.Status, h.FailingStreak, h.Log } : null,
            },
            ["Image"] = c.ImageId ?? "",
            ["ResolvConfPath"] = "",
            ["HostnamePath"] = "",
            ["HostsPath"] = "",
            ["LogPath"] = Path.Combine(stateDir, "container.log"),
            ["Name"] = "/" + c.Name,
            ["RestartCount"] = c.RestartCount,
            ["Driver"] = "overlay",
            ["Platform"] = "linux",
            ["MountLabel"] = "",
            ["ProcessLabel"] = "",
            ["AppArmorProfile"] = "",
            ["ExecIDs"] = null,
            ["HostConfig"] = HostConfig(config),
            ["GraphDriver"] = new { Name = "overlay", Data = new Dictionary<string, string>() },
            ["Mounts"] = c.Mounts.Select(MountPoint.From).ToList(),
            ["Config"] = new Dictionary<string, object?>
            {
                ["Hostname"] = config.Hostname ?? (c.Id.Length >= 12 ? c.Id[..12] : c.Id),
                ["Domainname"] = config.Domainname ?? "",
                ["User"] = config.User ?? "",
                ["AttachStdin"] = false,
                ["AttachStdout"] = false,
                ["AttachStderr"] = false,
                ["ExposedPorts"] = config.ExposedPorts?.ToDictionary(p => p, _ => new Dictionary<string, string>()),
                ["Tty"] = config.Tty,
                ["OpenStdin"] = config.OpenStdin,
                ["StdinOnce"] = false,
                ["Env"] = config.Environment.Select(kv => $"{kv.Key}={kv.Value}").ToList(),
                ["Cmd"] = config.Command,
                ["Image"] = c.Image ?? "",
                ["Volumes"] = config.ImageVolumes?.ToDictionary(p => p, _ => new Dictionary<string, string>()),
                ["WorkingDir"] = config.WorkingDirectory ?? "",
                ["Entrypoint"] = config.Entrypoint,
                ["OnBuild"] = null,
                ["Labels"] = c.Labels,
                ["StopSignal"] = config.StopSignal,
                ["StopTimeout"] = config.StopTimeoutSeconds,
                ["Healthcheck"] = config.Healthcheck,
            },
            ["NetworkSettings"] = NetworkSettings(c),
        };
    }

    private static Dictionary<string, object?> HostConfig(ContainerCreateRequest config)
    {
        var r = config.Resources;
        var restart = config.Restart ?? "no";
        var colon = restart.IndexOf(':', StringComparison.Ordinal);
        return new Dictionary<string, object?>
        {
            ["Binds"] = config.Volumes.Where(v => v.Contains(':', StringComparison.Ordinal)).ToList(),
            ["NetworkMode"] = ContainerSummary.NetworkMode(config),
            ["PortBindings"] = PortBindings(config),
            ["RestartPolicy"] = new
            {
                Name = colon < 0 ? restart : restart[..colon],
                MaximumRetryCount = colon < 0 ? 0 : int.Parse(restart[(colon + 1)..], CultureInfo.InvariantCulture),
            },
            ["AutoRemove"] = config.AutoRemove,
            ["VolumesFrom"] = config.VolumesFrom,
            ["CapAdd"] = config.CapAdd,
            ["CapDrop"] = config.CapDrop,
            ["Dns"] = config.Networking?.Dns ?? [],
            ["DnsOptions"] = config.Networking?.DnsOptions ?? [],
            ["DnsSearch"] = config.Networking?.DnsSearch ?? [],
            ["ExtraHosts"] = config.Networking?.AddHosts ?? [],
            ["Privileged"] = config.Privileged,
            ["PublishAllPorts"] = config.Networking?.PublishAll ?? false,
            ["ReadonlyRootfs"] = config.ReadOnly,
            ["SecurityOpt"] = config.SecurityOpt,
            ["Tmpfs"] = config.Tmpfs.ToDictionary(t => t.Split(':', 2)[0], t => t.Contains(':', StringComparison.Ordinal) ? t.Split(':', 2)[1] : ""),
            ["ShmSize"] = config.ShmSize ?? 64L * 1024 * 1024,
            ["Memory"] = r.Memory ?? 0,
            ["MemorySwap"] = r.MemorySwap ?? 0,
            ["MemoryReservation"] = r.MemoryReservation ?? 0,
            ["NanoCpus"] = r.Cpus is { } cpus ? (long)(cpus * 1e9) : 0,
            ["CpuShares"] = r.CpuShares ?? 0,
            ["CpusetCpus"] = r.CpusetCpus ?? "",
            ["CpusetMems"] = r.CpusetMems ?? "",
            ["PidsLimit"] = r.PidsLimit,
            ["BlkioWeight"] = r.BlkioWeight ?? 0,
            ["Init"] = config.Init,
            ["LogConfig"] = new { Type = "json-file", Config = new Dictionary<string, string>() },
            ["Mounts"] = config.Mounts,
            ["Devices"] = config.Devices.Select(DeviceMapping).ToList(),
            ["DeviceCgroupRules"] = config.DeviceCgroupRules,
            ["Sysctls"] = config.Sysctls,
            ["GroupAdd"] = config.GroupAdd,
            ["OomScoreAdj"] = config.OomScoreAdj ?? 0,
            ["PidMode"] = config.PidMode ?? "",
            ["IpcMode"] = config.IpcMode ?? "private",
            ["UTSMode"] = config.UtsMode ?? "",
            ["Annotations"] = config.Annotations.Count > 0 ? config.Annotations : null,
            ["OomKillDisable"] = config.OomKillDisable,
            ["CgroupnsMode"] = config.CgroupNamespace ?? "host",
            ["UsernsMode"] = config.UserNS is null or "host" ? "" : config.UserNS,
            ["Isolation"] = "",
            ["ContainerIDFile"] = "",
            ["Links"] = config.Networking?.Links is { Count: > 0 } links ? links : null,
        };
    }

    /// <summary>A -Device value (HOST[:CONTAINER[:PERMS]]) as docker's {PathOnHost, PathInContainer, CgroupPermissions}.</summary>
    private static object DeviceMapping(string text)
    {
        var parts = text.Split(':');
        var perms = parts.Length == 3 ? parts[2] : parts.Length == 2 && !parts[1].StartsWith('/') ? parts[1] : "rwm";
        var inContainer = parts.Length >= 2 && parts[1].StartsWith('/') ? parts[1] : parts[0];
        return new { PathOnHost = parts[0], PathInContainer = inContainer, CgroupPermissions = perms };
    }

    private static Dictionary<string, List<object>> PortBindings(ContainerCreateRequest config)
    {
        var map = new Dictionary<string, List<object>>();
        foreach (var text in config.Networking?.Publish ?? [])
        {
            var p = Core.Network.PortRequest.Parse(text);
            var key = $"{p.ContainerPort}/{p.Protocol}";
            if (!map.TryGetValue(key, out var list))
            {
                map[key] = list = [];
            }

            list.Add(new { HostIp = p.HostIP, HostPort = p.HostPortStart == 0 ? "" : p.HostPortStart.ToString(CultureInfo.InvariantCulture) });
        }

        return map;
    }

    private static Dictionary<string, object?> NetworkSettings(ContainerInfo c)
    {
        var first = c.Networks.FirstOrDefault();
        var ports = new Dictionary<string, List<object>?>();
        foreach (var exposed in c.Config.ExposedPorts ?? [])
        {
            ports[exposed.Contains('/', StringComparison.Ordinal) ? exposed : exposed + "/tcp"] = null;
        }

        foreach (var p in c.Ports)
        {
            var key = $"{p.ContainerPort}/{p.Protocol}";
            if (!ports.TryGetValue(key, out var list) || list is null)
            {
                ports[key] = list = [];
            }

            list.Add(new { HostIp = p.HostIP.Length == 0 ? "0.0.0.0" : p.HostIP, HostPort = p.HostPort.ToString(CultureInfo.InvariantCulture) });
        }

        return new Dictionary<string, object?>
        {
            ["Bridge"] = "",
            ["SandboxID"] = "",
            ["SandboxKey"] = "",
            ["Ports"] = ports,
            ["IPAddress"] = first?.IPAddress ?? "",
            ["IPPrefixLen"] = first?.PrefixLength ?? 0,
            ["Gateway"] = first?.Gateway ?? "",
            ["MacAddress"] = first?.MacAddress ?? "",
            ["Networks"] = EndpointSettings.NetworksOf(c),
        };
    }

    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);
}
