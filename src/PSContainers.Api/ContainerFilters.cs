using System.Text.RegularExpressions;
using PSContainers.Core.Containers;

namespace PSContainers.Api;

/// <summary>The filters of GET /containers/json (docker ps --filter): status, name, id, label, ancestor, exited.</summary>
internal sealed class ContainerFilters
{
    private static readonly string[] Known = ["status", "name", "id", "label", "ancestor", "exited"];
    private static readonly string[] Statuses = ["created", "restarting", "running", "removing", "paused", "exited", "dead"];

    private readonly Dictionary<string, List<string>> _filters;
    private readonly List<Regex> _names = [];
    private readonly List<int> _exited = [];

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

        return true;
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
