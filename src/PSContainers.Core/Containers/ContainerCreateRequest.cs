namespace PSContainers.Core.Containers;

/// <summary>What a new container should be: the docker-run parameters of New-Container and Invoke-Container.</summary>
public sealed class ContainerCreateRequest
{
    public string? Name { get; set; }

    /// <summary>An unpacked root filesystem directory; never modified (an overlay upper layer takes the writes).</summary>
    public string RootFs { get; set; } = "";

    public List<string> Command { get; set; } = [];

    public Dictionary<string, string> Environment { get; set; } = [];

    public string? WorkingDirectory { get; set; }

    /// <summary>uid[:gid] as numbers, or a user (and group) name from the root filesystem's /etc/passwd and /etc/group.</summary>
    public string? User { get; set; }

    public string? Hostname { get; set; }

    public bool ReadOnly { get; set; }

    public List<string> CapAdd { get; set; } = [];

    public List<string> CapDrop { get; set; } = [];

    public bool Privileged { get; set; }

    public bool Init { get; set; }

    public Dictionary<string, string> Labels { get; set; } = [];

    public string? StopSignal { get; set; }

    public int? StopTimeoutSeconds { get; set; }

    /// <summary>no, on-failure[:N], always or unless-stopped.</summary>
    public string? Restart { get; set; }

    /// <summary>Delete the container when it exits (docker run --rm).</summary>
    public bool AutoRemove { get; set; }

    /// <summary>Give the container a pty (docker run -t): its output is one stream, its input a terminal.</summary>
    public bool Tty { get; set; }

    /// <summary>Keep the container's stdin open for attached clients (docker run -i); otherwise it reads /dev/null.</summary>
    public bool OpenStdin { get; set; }

    /// <summary>The pty's size when it is made (rows, columns); a terminal client sends its own size when it attaches.</summary>
    public ushort ConsoleRows { get; set; }

    public ushort ConsoleColumns { get; set; }

    /// <summary>"none" (a new empty network namespace) is the only network until CNI networks exist.</summary>
    public string Network { get; set; } = "none";

    public ContainerResources Resources { get; set; } = new();

    /// <summary>Ulimits as name=soft[:hard], e.g. nofile=1024:2048.</summary>
    public List<string> Ulimits { get; set; } = [];
}
