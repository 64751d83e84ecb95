using System.Text;

namespace PSContainers.Core.Network;

/// <summary>A container's /etc/hosts, /etc/resolv.conf and /etc/hostname, kept beside its record and bind-mounted over the image's.</summary>
/// <remarks>
/// They are rewritten in place (truncate and write the same inode), never replaced by a rename: a bind mount holds
/// the inode it was made with, so a renamed-in file would never be seen inside the running container.
/// </remarks>
public static class ContainerNetworkFiles
{
    private const string HostResolvConf = "/etc/resolv.conf";

    public static void WriteInPlace(string path, string content)
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        using var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite);
        stream.Write(bytes);
        stream.SetLength(bytes.Length);
    }

    /// <summary>The hosts file: localhost, the container itself, the peers on its networks (name, aliases, short id), then -AddHost entries.</summary>
    public static string Hosts(IEnumerable<(string Ip, IReadOnlyList<string> Names)> self, IEnumerable<(string Ip, IReadOnlyList<string> Names)> peers, IEnumerable<(string Name, string Ip)> extra)
    {
        var text = new StringBuilder();
        text.Append("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n");
        foreach (var (ip, names) in self)
        {
            text.Append(ip).Append('\t').AppendJoin(' ', names.Distinct(StringComparer.Ordinal)).Append('\n');
        }

        foreach (var (ip, names) in peers)
        {
            text.Append(ip).Append('\t').AppendJoin(' ', names.Distinct(StringComparer.Ordinal)).Append('\n');
        }

        foreach (var (name, ip) in extra)
        {
            text.Append(ip).Append('\t').Append(name).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>resolv.conf as docker makes it: the host's nameservers without loopback ones (unreachable from the container), or -Dns; search and options.</summary>
    public static string ResolvConf(IReadOnlyList<string> dns, IReadOnlyList<string> search, IReadOnlyList<string> options)
    {
        var servers = new List<string>(dns);
        var hostSearch = new List<string>();
        var hostOptions = new List<string>();
        if (File.Exists(HostResolvConf))
        {
            foreach (var line in File.ReadLines(HostResolvConf))
            {
                var f = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 2 || f[0].StartsWith('#'))
                {
                    continue;
                }

                switch (f[0])
                {
                    case "nameserver" when dns.Count == 0 && !f[1].StartsWith("127.", StringComparison.Ordinal) && f[1] != "::1":
                        servers.Add(f[1]);
                        break;
                    case "search" or "domain":
                        hostSearch.AddRange(f.Skip(1));
                        break;
                    case "options":
                        hostOptions.AddRange(f.Skip(1));
                        break;
                }
            }
        }

        if (servers.Count == 0)
        {
            // As docker: a host that only has a local resolver gives its containers public ones.
            servers.AddRange(["8.8.8.8", "8.8.4.4"]);
        }

        var text = new StringBuilder();
        var searches = search.Count > 0 ? search : hostSearch;
        if (searches.Count > 0)
        {
            text.Append("search ").AppendJoin(' ', searches).Append('\n');
        }

        foreach (var server in servers)
        {
            text.Append("nameserver ").Append(server).Append('\n');
        }

        var opts = options.Count > 0 ? options : hostOptions;
        if (opts.Count > 0)
        {
            text.Append("options ").AppendJoin(' ', opts).Append('\n');
        }

        return text.ToString();
    }
}
