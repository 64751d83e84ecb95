namespace PSContainers.Core.Containers;

/// <summary>A process to run inside a running container (docker exec).</summary>
public sealed class ContainerExecRequest
{
    public List<string> Command { get; set; } = [];

    /// <summary>The exec instance's id, as docker's exec events name it (execID); one is made when the first event needs it.</summary>
    public string? ExecId { get; set; }

    public Dictionary<string, string> Environment { get; set; } = [];

    /// <summary>uid[:gid] or names from the container's /etc/passwd; null keeps the container's user.</summary>
    public string? User { get; set; }

    public string? WorkingDirectory { get; set; }

    public bool Privileged { get; set; }

    /// <summary>What the process reads on its standard input, then end-of-file; null gives it end-of-file at once.</summary>
    public byte[]? Input { get; set; }
}
