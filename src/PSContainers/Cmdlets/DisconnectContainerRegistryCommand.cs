using System.Management.Automation;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

/// <summary>Disconnect-ContainerRegistry (docker logout): removes a stored login from auth.json.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "ContainerRegistry", SupportsShouldProcess = true, DefaultParameterSetName = OneSet)]
[OutputType(typeof(string))]
public sealed class DisconnectContainerRegistryCommand : RegistryCmdletBase
{
    private const string OneSet = "One";
    private const string AllSet = "All";

    /// <summary>The registry (or host/repository) whose login to remove; docker.io by default.</summary>
    [Parameter(ParameterSetName = OneSet, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PSContainers.Completers.RegistryLoginCompleter))]
    public string Registry { get; set; } = "docker.io";

    /// <summary>Remove every login in the auth file.</summary>
    [Parameter(ParameterSetName = AllSet, Mandatory = true)]
    public SwitchParameter All { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var target = All ? "every registry" : Registry;
        if (!ShouldProcess(target, "Remove the stored login"))
        {
            return;
        }

        var removed = Registry<IReadOnlyList<string>>(target, $"Logging out of {target}", (registry, _, _) =>
            Task.FromResult(registry.Logout(All ? null : Registry)));
        if (removed is null)
        {
            return;
        }

        if (removed.Count == 0 && !All)
        {
            WriteError(new ErrorRecord(
                new ContainerEngineException("RegistryLoginNotFound", $"There is no stored login for {Registry}.", ContainerErrorKind.NotFound, Registry),
                "RegistryLoginNotFound", ErrorCategory.ObjectNotFound, Registry));
        }

        if (PassThru)
        {
            WriteObject(removed, enumerateCollection: true);
        }
    }
}
