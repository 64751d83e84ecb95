using System.Text.RegularExpressions;
using PSContainers.Core.Containers;

namespace PSContainers.Api;

/// <summary>
/// The filters of GET /containers/json (docker ps --filter): status, name, id, label, ancestor, exited, before, since,
/// health, network, volume, publish, expose, is-task and isolation. Different values of one filter are alternatives;
/// different filters must all hold, as docker reads them.
/// </summary>
internal sealed class ContainerFilters
{
    private static readonly string[] Known =
        ["status", "name", "id", "label", "ancestor", "exited", "before", "since", "health", "network", "volume", "publish", "expose", "is-task", "isolation"];

    private static readonly string[] HealthValues = ["starting", "healthy", "unhealthy", "none"];
    private static readonly string[] Statuses = ["created", "restarting", "running", "removing", "paused", "exited", "dead"];

    private readonly Dictionary<string, List<string>> _filters;
    private readonly List<Regex> _names = [];
    private readonly List<int> _exited = [];

    // before= and since= name a container; they hold the times of the ones named, once Bind has looked them up.
    private readonly List<DateTimeOffset> _before = [];
    private readonly List<DateTimeOffset> _since = [];

    private ContainerFilters(Dictionary<string, List<string>> filters)
    {
        _filters = filters;
        foreach (var status in Values("status"))
        {
            if (Array.IndexOf(Statuses, status) < 0)
            {
                throw ApiException.BadRequest($"invalid filter 'status={status}'");
            }
        }

        foreach (var name in Values("name"))
        {
            // docker matches names as regular expressions against "/name".
            try
            {
                _names.Add(new Regex(name, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
            }
            catch (ArgumentException)
            {
                throw ApiException.BadRequest($"invalid filter 'name={name}': not a regular expression");
            }
        }

        foreach (var health in Values("health"))
        {
            if (Array.IndexOf(HealthValues, health) < 0)
            {
                throw ApiException.BadRequest($"invalid filter 'health={health}': one of starting, healthy, unhealthy, none");
            }
        }

        foreach (var isolation in Values("isolation"))
        {
            if (isolation is not ("default" or "process"))
            {
                throw ApiException.BadRequest($"invalid filter 'isolation={isolation}': Linux containers here have only the default isolation");
            }
        }

        foreach (var port in Values("publish").Concat(Values("expose")))
        {
            _ = ParsePortFilter(port);
        }

        foreach (var code in Values("exited"))
        {
            _exited.Add(int.TryParse(code, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n)
                ? n
                : throw ApiException.BadRequest($"invalid filter 'exited={code}': not an exit code"));
        }
    }

    /// <summary>A status filter lists stopped containers without all=1, as docker ps -f status=exited does.</summary>
    public bool ImpliesAll => _filters.ContainsKey("status") || _filters.ContainsKey("exited");

    public static ContainerFilters Parse(string? json)
    {
        var filters = ApiQuery.Filters(json);
        ApiQuery.OnlyFilters(filters, Known);
        return new ContainerFilters(filters);
    }

    /// <summary>Looks up the containers that before= and since= name (id, id prefix or name) among all; 404 when one is missing.</summary>
    public ContainerFilters Bind(IReadOnlyList<ContainerInfo> all)
    {
        foreach (var (filter, times) in new[] { ("before", _before), ("since", _since) })
        {
            foreach (var reference in Values(filter))
            {
                var named = all.FirstOrDefault(c => c.Id == reference || c.Name == reference.TrimStart('/'))
                    ?? (reference.Length >= 4 ? all.SingleOrDefault(c => c.Id.StartsWith(reference, StringComparison.Ordinal)) : null)
                    ?? throw ApiException.NotFound($"No such container: {reference}");
                times.Add(named.Created);
            }
        }

        return this;
    }

    public bool Matches(ContainerInfo c)
    {
        if (_filters.ContainsKey("status") && !Values("status").Contains(StateName(c.Status)))
        {
            return false;
        }

        if (_names.Count > 0 && !_names.Any(r => r.IsMatch("/" + c.Name)))
        {
            return false;
        }

        if (_filters.ContainsKey("id") && !Values("id").Any(id => c.Id.StartsWith(id, StringComparison.Ordinal)))
        {
            return false;
        }

        if (_filters.ContainsKey("label") && !Values("label").All(l => HasLabel(c, l)))
        {
            return false;
        }

        if (_filters.ContainsKey("ancestor") && !Values("ancestor").Any(a => IsAncestor(c, a)))
        {
            return false;
        }

        if (_exited.Count > 0 && (c.Status != ContainerStatus.Exited || c.ExitCode is not { } code || !_exited.Contains(code)))
        {
            return false;
        }

        if (_before.Any(t => c.Created >= t) || _since.Any(t => c.Created <= t))
        {
            return false;
        }

        if (_filters.ContainsKey("health") && !Values("health").Contains(c.Health?.Status ?? "none"))
        {
            return false;
        }

        if (_filters.ContainsKey("network") && !Values("network").Any(n => OnNetwork(c, n)))
        {
            return false;
        }

        if (_filters.ContainsKey("volume") && !Values("volume").Any(v => c.Mounts.Any(m => m.Name == v || m.Destination == v || (m.Type == "bind" && m.Source == v))))
        {
            return false;
        }

        if (_filters.ContainsKey("publish") && !Values("publish").Any(p => Publishes(c, ParsePortFilter(p))))
        {
            return false;
        }

        if (_filters.ContainsKey("expose") && !Values("expose").Any(p => Exposes(c, ParsePortFilter(p))))
        {
            return false;
        }

        // No container here is a swarm task.
        return !Values("is-task").Contains("true");
    }

    private static bool OnNetwork(ContainerInfo c, string network) =>
        Models.EndpointSettings.NetworksOf(c).Any(n => n.Key == network || (network.Length >= 4 && n.Value.NetworkID.StartsWith(network, StringComparison.Ordinal)));

    // docker's "80", "80/tcp", "8000-8080/udp": a port range and a protocol (tcp when left out).
    private static (int First, int Last, string Protocol) ParsePortFilter(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var protocol = slash < 0 ? "tcp" : text[(slash + 1)..].ToLowerInvariant();
        var ports = slash < 0 ? text : text[..slash];
        var dash = ports.IndexOf('-', StringComparison.Ordinal);
        if (protocol is not ("tcp" or "udp" or "sctp")
            || !int.TryParse(dash < 0 ? ports : ports[..dash], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var first)
            || !int.TryParse(dash < 0 ? ports : ports[(dash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var last)
            || first is < 1 or > 65535 || last < first || last > 65535)
        {
            throw ApiException.BadRequest($"invalid filter '{text}': give a port, a range (8000-8080) and optionally /tcp, /udp or /sctp");
        }

        return (first, last, protocol);
    }

    private static bool Publishes(ContainerInfo c, (int First, int Last, string Protocol) filter) =>
        c.Ports.Any(p => p.HostPort >= filter.First && p.HostPort <= filter.Last && p.Protocol == filter.Protocol);

    private static bool Exposes(ContainerInfo c, (int First, int Last, string Protocol) filter) =>
        (c.Config.ExposedPorts ?? []).Select(ExposedPort).Concat(c.Ports.Select(p => (Port: p.ContainerPort, p.Protocol)))
            .Any(p => p.Port >= filter.First && p.Port <= filter.Last && p.Protocol == filter.Protocol);

    private static (int Port, string Protocol) ExposedPort(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var port = int.TryParse(slash < 0 ? text : text[..slash], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0;
        return (port, slash < 0 ? "tcp" : text[(slash + 1)..]);
    }

    /// <summary>docker's State word for a status.</summary>
    public static string StateName(ContainerStatus status) => status switch
    {
        ContainerStatus.Running => "running",
        ContainerStatus.Paused => "paused",
        ContainerStatus.Exited => "exited",
        _ => "created",
    };

    private List<string> Values(string name) => _filters.TryGetValue(name, out var v) ? v : [];

    private static bool HasLabel(ContainerInfo c, string filter)
    {
        var eq = filter.IndexOf('=', StringComparison.Ordinal);
        return eq < 0
            ? c.Labels.ContainsKey(filter)
            : c.Labels.TryGetValue(filter[..eq], out var value) && value == filter[(eq + 1)..];
    }

    /// <summary>The image as given at create (busybox, busybox:latest) or its id, full or a prefix.</summary>
    private static bool IsAncestor(ContainerInfo c, string image)
    {
        if (c.Image is { } reference && (reference == image || reference == image + ":latest" || image == reference + ":latest"))
        {
            return true;
        }

        if (c.ImageId is { } id)
        {
            var hex = id.StartsWith("sha256:", StringComparison.Ordinal) ? id[7..] : id;
            var asked = image.StartsWith("sha256:", StringComparison.Ordinal) ? image[7..] : image;
            return asked.Length >= 4 && hex.StartsWith(asked, StringComparison.Ordinal);
        }

        return false;
    }
}
