using System.Collections;
using System.Management.Automation;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

/// <summary>Enter-Container (docker exec -it, docker attach): a terminal session in a running container from this terminal.</summary>
/// <remarks>
/// By default it runs a command (/bin/sh unless given) on a new pty in the container; -Attach instead joins the
/// terminal of the container's own process (a container started with -Interactive), where Ctrl+P Ctrl+Q
/// detaches and leaves it running. The terminal is in raw mode for the session, so Ctrl+C and every other key
/// go to the container; the window size follows this terminal. $LASTEXITCODE holds the exit code afterwards.
/// </remarks>
[Cmdlet(VerbsCommon.Enter, "Container", DefaultParameterSetName = ExecSet, SupportsShouldProcess = true)]
[OutputType(typeof(void))]
public sealed class EnterContainerCommand : ContainerCmdletBase
{
    private const string ExecSet = "Exec", AttachSet = "Attach";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name", "ContainerId")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PSContainers.Completers.ContainerNameCompleter))]
    public string Id { get; set; } = "";

    /// <summary>The command and its arguments; /bin/sh when none is given.</summary>
    [Parameter(Position = 1, ValueFromRemainingArguments = true, ParameterSetName = ExecSet)]
    public string[] Command { get; set; } = [];

    [Parameter(ParameterSetName = ExecSet)]
    public Hashtable? Environment { get; set; }

    [Parameter(ParameterSetName = ExecSet)]
    public string? User { get; set; }

    [Parameter(ParameterSetName = ExecSet)]
    public string? WorkingDirectory { get; set; }

    [Parameter(ParameterSetName = ExecSet)]
    public SwitchParameter Privileged { get; set; }

    /// <summary>Join the container's own terminal instead of starting a command (docker attach).</summary>
    [Parameter(Mandatory = true, ParameterSetName = AttachSet)]
    public SwitchParameter Attach { get; set; }

    /// <summary>Not for use: catches docker exec's short flags (-e, -w, -d, -i, -t) so that they give an error naming the parameter to use.</summary>
    [Parameter(DontShow = true)]
    [Alias("e", "w", "d", "i", "t")]
    public SwitchParameter DockerStyleFlag { get; set; }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        DockerStyleArguments.Check(this, Command);
    }

    protected override void ProcessRecord()
    {
        var relay = new TerminalRelay { DetachKeys = Attach };
        if (!relay.IsTerminal)
        {
            WriteError(new ErrorRecord(
                new InvalidOperationException("Enter-Container needs an interactive terminal on stdin and stdout; use Invoke-ContainerCommand to run a command without one."),
                "NotATerminal", ErrorCategory.DeviceError, Id));
            return;
        }

        var command = Command.Length == 0 ? ["/bin/sh"] : Command;
        if (!ShouldProcess(Id, Attach ? "Attach to the container's terminal" : $"Run {string.Join(" ", command)} on a terminal"))
        {
            return;
        }

        ITerminalSession? session = Attach
            ? Engine<ContainerAttachment>(Id, (engine, _) => engine.Attach(Id))
            : Engine<ExecTerminal>(Id, (engine, ct) => engine.StartExecTerminal(Id, BuildRequest(command), ct));
        if (session is null)
        {
            return;
        }

        using (session)
        {
            RunWithLogging((_, ct) =>
            {
                relay.Run(session, ct);
                return 0;
            });
        }

        if (relay.Detached)
        {
            WriteVerbose($"Detached from {Id}; it keeps running.");
        }
        else if (session is ExecTerminal { RuntimeError: { } error })
        {
            // pscrun itself failed (an unknown command, a bad user): the command never ran.
            WriteError(new ErrorRecord(new InvalidOperationException($"Enter-Container {Id}: {error}"), "ContainerExecFailed", ErrorCategory.InvalidOperation, Id));
        }
        else if (session.ExitCode is { } code)
        {
            SetLastExitCode(code);
        }
    }

    private ContainerExecRequest BuildRequest(string[] command)
    {
        var request = new ContainerExecRequest { Command = [.. command], User = User, WorkingDirectory = WorkingDirectory, Privileged = Privileged };
        foreach (DictionaryEntry e in Environment ?? [])
        {
            request.Environment[e.Key.ToString()!] = e.Value?.ToString() ?? "";
        }

        // A shell in the terminal reads these to know what the terminal can do.
        request.Environment.TryAdd("TERM", System.Environment.GetEnvironmentVariable("TERM") ?? "xterm");
        return request;
    }
}
