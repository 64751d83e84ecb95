using System.Globalization;
using System.Net;
using PSContainers.Core.Containers;

namespace PSContainers.Core.Api;

/// <summary>How the Docker Engine API service listens: its unix socket, the socket's access, and an optional TCP endpoint.</summary>
public sealed class ApiServiceOptions
{
    public const string DefaultSocket = "/run/pscontainers/docker.sock";

    public string Socket { get; set; } = DefaultSocket;

    /// <summary>User name or uid that owns the socket; null leaves it to the service's user (root).</summary>
    public string? SocketOwner { get; set; }

    /// <summary>Group name or gid of the socket (docker's "docker" group); null leaves the service's group.</summary>
    public string? SocketGroup { get; set; }

    /// <summary>Permission bits in octal (660); null: 660, owner and group only, as docker's socket.</summary>
    public string? SocketMode { get; set; }

    /// <summary>host:port to listen on over TCP as well (plain HTTP, no authentication); null: no TCP at all.</summary>
    public string? Tcp { get; set; }

    /// <summary>Run in the calling process's session and log to its standard error (a systemd unit).</summary>
    public bool Foreground { get; set; }

    /// <summary>Set by the launcher: the pipe end the service writes its ready report to.</summary>
    public int ReadyFd { get; set; } = -1;

    /// <summary>Set by the launcher: where a detached service writes its log.</summary>
    public string? LogFile { get; set; }

    public UnixFileMode Mode => ParseMode(SocketMode ?? "660");

    /// <summary>Refuses what cannot work before anything starts: a relative socket path, a bad mode, owner or endpoint.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Socket) || !Path.IsPathFullyQualified(Socket))
        {
            throw ContainerEngineException.Invalid($"The socket path \"{Socket}\" must be absolute (the service's working directory is /).", Socket);
        }

        _ = Mode;
        _ = ResolveOwnership();
        _ = TcpEndPoint();
    }

    /// <summary>The uid and gid to give the socket; -1 keeps the current one (chown's convention).</summary>
    public (int Uid, int Gid) ResolveOwnership()
    {
        var uid = -1;
        var gid = -1;
        if (!string.IsNullOrEmpty(SocketOwner))
        {
            uid = (int)UserResolver.Resolve("/", SocketOwner).Uid;
        }

        if (!string.IsNullOrEmpty(SocketGroup))
        {
            gid = (int)UserResolver.Resolve("/", "0:" + SocketGroup).Gid;
        }

        return (uid, gid);
    }

    /// <summary>The TCP endpoint, or null when none was asked for.</summary>
    public IPEndPoint? TcpEndPoint()
    {
        if (string.IsNullOrEmpty(Tcp))
        {
            return null;
        }

        var text = Tcp.StartsWith("tcp://", StringComparison.Ordinal) ? Tcp["tcp://".Length..] : Tcp;
        if (!IPEndPoint.TryParse(text, out var endPoint) || endPoint.Port == 0)
        {
            throw ContainerEngineException.Invalid($"-Tcp \"{Tcp}\" is not ADDRESS:PORT (e.g. 127.0.0.1:2375).", Tcp);
        }

        return endPoint;
    }

    public static UnixFileMode ParseMode(string text)
    {
        if (text.Length is < 3 or > 4 || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _)
            || text.Any(c => c > '7'))
        {
            throw ContainerEngineException.Invalid($"The socket mode \"{text}\" is not an octal permission such as 660.", text);
        }

        var bits = Convert.ToInt32(text, 8);
        if (bits > 0x1FF)
        {
            throw ContainerEngineException.Invalid($"The socket mode \"{text}\" may hold permission bits only (at most 777).", text);
        }

        return (UnixFileMode)bits;
    }

    /// <summary>The command line that gives these options to psc-api.</summary>
    public List<string> ToArguments()
    {
        var args = new List<string> { "--socket", Socket };
        Add(args, "--socket-owner", SocketOwner);
        Add(args, "--socket-group", SocketGroup);
        Add(args, "--socket-mode", SocketMode);
        Add(args, "--tcp", Tcp);
        Add(args, "--log-file", LogFile);
        if (Foreground)
        {
            args.Add("--foreground");
        }

        if (ReadyFd >= 0)
        {
            args.Add("--ready-fd");
            args.Add(ReadyFd.ToString(CultureInfo.InvariantCulture));
        }

        return args;
    }

    /// <summary>Reads psc-api's command line; an unknown or incomplete option is an error that names it.</summary>
    public static ApiServiceOptions Parse(IReadOnlyList<string> args)
    {
        var options = new ApiServiceOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name == "--foreground")
            {
                options.Foreground = true;
                continue;
            }

            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"{name} needs a value.");
            }

            var value = args[++i];
            switch (name)
            {
                case "--socket": options.Socket = value; break;
                case "--socket-owner": options.SocketOwner = value; break;
                case "--socket-group": options.SocketGroup = value; break;
                case "--socket-mode": options.SocketMode = value; break;
                case "--tcp": options.Tcp = value; break;
                case "--log-file": options.LogFile = value; break;
                case "--ready-fd":
                    options.ReadyFd = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var fd)
                        ? fd
                        : throw new ArgumentException($"--ready-fd \"{value}\" is not a file descriptor number.");
                    break;
                default: throw new ArgumentException($"Unknown option {name}. Options: --socket PATH, --socket-owner USER, --socket-group GROUP, --socket-mode OCTAL, --tcp ADDRESS:PORT, --foreground.");
            }
        }

        return options;
    }

    private static void Add(List<string> args, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            args.Add(name);
            args.Add(value);
        }
    }
}
