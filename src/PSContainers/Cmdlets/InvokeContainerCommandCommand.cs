using System.Management.Automation;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

/// <summary>Invoke-ContainerCommand (docker exec): runs a command in a running container, streaming its output lines.</summary>
/// <remarks>Lines come down the pipeline as ContainerLogEntry objects; $LASTEXITCODE holds the exit code afterwards, and -PassThru adds the ContainerExecResult (ExitCode, Output).</remarks>
[Cmdlet(VerbsLifecycle.Invoke, "ContainerCommand", SupportsShouldProcess = true)]
[OutputType(typeof(ContainerLogEntry), typeof(ContainerExecResult))]
public sealed class InvokeContainerCommandCommand : ContainerCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name", "ContainerId")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PSContainers.Completers.ContainerNameCompleter))]
    public string Id { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromRemainingArguments = true)]
    public string[] Command { get; set; } = [];

    [Parameter]
    public System.Collections.Hashtable? Environment { get; set; }

    [Parameter]
    public string? User { get; set; }

    [Parameter]
    public string? WorkingDirectory { get; set; }

    [Parameter]
    public SwitchParameter Privileged { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

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
        if (!ShouldProcess(Id, $"Run {string.Join(" ", Command)}"))
        {
            return;
        }

        var request = new ContainerExecRequest { Command = [.. Command], User = User, WorkingDirectory = WorkingDirectory, Privileged = Privileged };
        foreach (System.Collections.DictionaryEntry e in Environment ?? [])
        {
            request.Environment[e.Key.ToString()!] = e.Value?.ToString() ?? "";
        }

        ContainerExecResult? result = null;
        var ok = Stream<ContainerLogEntry>(Id, (engine, add, ct) => result = engine.Exec(Id, request, add, ct), WriteObject);
        if (ok && result is not null)
        {
            SetLastExitCode(result.ExitCode);
            if (PassThru)
            {
                WriteObject(result);
            }
        }
    }
}
