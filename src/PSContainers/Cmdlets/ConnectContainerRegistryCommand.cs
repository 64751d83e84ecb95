using System.Management.Automation;
using PSContainers.Core.Registry;

namespace PSContainers.Cmdlets;

/// <summary>Connect-ContainerRegistry (docker login): checks a login against the registry and stores it in auth.json, where podman and skopeo read it too.</summary>
[Cmdlet(VerbsCommunications.Connect, "ContainerRegistry", SupportsShouldProcess = true)]
[OutputType(typeof(RegistryLogin))]
public sealed class ConnectContainerRegistryCommand : RegistryCmdletBase
{
    /// <summary>The registry host[:port] (docker.io by default), or host/repository for a login used only there.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PSContainers.Completers.RegistryLoginCompleter))]
    public string Registry { get; set; } = "docker.io";

    [Parameter(Mandatory = true, Position = 1)]
    [Credential]
    public PSCredential Credential { get; set; } = PSCredential.Empty;

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var credential = ToRegistryCredential(Credential)
            ?? throw new PSArgumentException("-Credential needs a user name and password.", nameof(Credential));
        if (!ShouldProcess(Registry, $"Log in as {credential.UserName}"))
        {
            return;
        }

        var login = Registry<RegistryLogin>(Registry, $"Logging in to {Registry}", (registry, _, ct) => registry.LoginAsync(Registry, credential, ct));
        if (login is not null && PassThru)
        {
            WriteObject(login);
        }
    }
}
