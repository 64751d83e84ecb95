using System.Management.Automation;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

/// <summary>Invoke-ContainerCommand (docker exec): runs a command in a running container, streaming its output lines.</summary>
/// <remarks>Lines come down the pipeline as ContainerLogEntry objects; $LASTEXITCODE holds the exit code afterwards, and -PassThru adds the ContainerExecResult (ExitCode, Output).</remarks>
[Cmdlet(VerbsLifecycle.Invoke, "ContainerCommand", SupportsShouldProcess = true, DefaultParameterSetName = ContainerSet)]
[OutputType(typeof(ContainerLogEntry), typeof(ContainerExecResult))]
public sealed class InvokeContainerCommandCommand : ContainerCmdletBase
{
    private const string ContainerSet = "Container";
    private const string InputSet = "Input";

    // Piped input, gathered until the pipeline ends: the process then reads it on stdin (docker exec -i).
    private readonly MemoryStream _input = new();

    // Containers bind -Id from the pipeline; anything else piped (text, bytes) is the process's input.
    [Parameter(ParameterSetName = ContainerSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Parameter(ParameterSetName = InputSet, Mandatory = true, Position = 0)]
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

    /// <summary>The process's standard input: strings as lines (UTF-8), byte arrays and bytes as they are.</summary>
    [Parameter(ParameterSetName = InputSet, Mandatory = true, ValueFromPipeline = true)]
    [AllowEmptyString]
    public object? InputObject { get; set; }

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
        if (ParameterSetName == InputSet)
        {
            AppendInput(InputObject);
            return;
        }

        Run(null);
    }

    protected override void EndProcessing()
    {
        if (ParameterSetName == InputSet)
        {
            Run(_input.ToArray());
        }
    }

    private void AppendInput(object? item)
    {
        switch (item is PSObject ps ? ps.BaseObject : item)
        {
            case null:
                break;
            case byte[] bytes:
                _input.Write(bytes);
                break;
            case byte b:
                _input.WriteByte(b);
                break;
            case var other:
                // As PowerShell pipes text to a native command: each item a line.
                _input.Write(System.Text.Encoding.UTF8.GetBytes(LanguagePrimitives.ConvertTo<string>(other) + "\n"));
                break;
        }
    }

    private void Run(byte[]? input)
    {
        if (!ShouldProcess(Id, $"Run {string.Join(" ", Command)}"))
        {
            return;
        }

        var request = new ContainerExecRequest { Command = [.. Command], User = User, WorkingDirectory = WorkingDirectory, Privileged = Privileged, Input = input };
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
