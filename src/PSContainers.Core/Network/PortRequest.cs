using System.Globalization;

namespace PSContainers.Core.Network;

/// <summary>A parsed -Publish value: [ip:][hostPort[-end]:]containerPort[/tcp|udp]; host port 0 means any free one.</summary>
public sealed record PortRequest(string HostIP, int HostPortStart, int HostPortEnd, int ContainerPort, string Protocol)
{
    public static PortRequest Parse(string text)
    {
        var spec = text.Trim();
        var protocol = "tcp";
        var slash = spec.LastIndexOf('/');
        if (slash >= 0)
        {
            protocol = spec[(slash + 1)..].ToLowerInvariant();
            spec = spec[..slash];
            if (protocol is not ("tcp" or "udp"))
            {
                throw new FormatException($"-Publish \"{text}\": the protocol \"{protocol}\" is not tcp or udp");
            }
        }

        if (spec.StartsWith('['))
        {
            throw new FormatException($"-Publish \"{text}\": IPv6 host addresses are not supported; container networks here are IPv4");
        }

        var parts = spec.Split(':');
        string hostIp = "", hostPorts = "", containerPort;
        switch (parts.Length)
        {
            case 1:
                containerPort = parts[0];
                break;
            case 2:
                (hostPorts, containerPort) = (parts[0], parts[1]);
                break;
            case 3:
                (hostIp, hostPorts, containerPort) = (parts[0], parts[1], parts[2]);
                break;
            default:
                throw new FormatException($"-Publish \"{text}\" is not [ip:][hostPort[-end]:]containerPort[/tcp|udp]");
        }

        if (hostIp.Length > 0 && !Ipv4Subnet.TryParseAddress(hostIp, out _))
        {
            throw new FormatException($"-Publish \"{text}\": \"{hostIp}\" is not an IPv4 address");
        }

        var port = ParsePort(containerPort, text);
        int start = 0, end = 0;
        if (hostPorts.Length > 0)
        {
            var dash = hostPorts.IndexOf('-');
            start = ParsePort(dash < 0 ? hostPorts : hostPorts[..dash], text);
            end = dash < 0 ? start : ParsePort(hostPorts[(dash + 1)..], text);
            if (end < start)
            {
                throw new FormatException($"-Publish \"{text}\": the host port range {hostPorts} ends before it starts");
            }
        }

        return new PortRequest(hostIp == "0.0.0.0" ? "" : hostIp, start, end, port, protocol);
    }

    private static int ParsePort(string value, string text) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
            ? port
            : throw new FormatException($"-Publish \"{text}\": \"{value}\" is not a port number from 1 to 65535");
}
