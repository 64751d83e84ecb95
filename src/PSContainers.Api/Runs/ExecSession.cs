using PSContainers.Core.Containers;

namespace PSContainers.Api.Runs;

/// <summary>One exec instance (docker exec): made by POST /containers/{id}/exec, run by /exec/{id}/start, read by /exec/{id}/json.</summary>
internal sealed class ExecSession(string id, string containerId, ContainerExecRequest request, bool tty, bool attachStdin, bool attachStdout, bool attachStderr, string? detachKeys)
{
    public string Id { get; } = id;

    public string ContainerId { get; } = containerId;

    public ContainerExecRequest Request { get; } = request;

    public bool Tty { get; } = tty;

    public bool AttachStdin { get; } = attachStdin;

    public bool AttachStdout { get; } = attachStdout;

    public bool AttachStderr { get; } = attachStderr;

    public string? DetachKeys { get; } = detachKeys;

    public (ushort Rows, ushort Columns) ConsoleSize { get; set; }

    /// <summary>Set once start has been called: an exec instance runs once.</summary>
    public bool Started { get; set; }

    public bool Running { get; set; }

    public int? ExitCode { get; set; }

    /// <summary>The pty of a tty exec while it runs, for resize.</summary>
    public ITerminalSession? Terminal { get; set; }
}
