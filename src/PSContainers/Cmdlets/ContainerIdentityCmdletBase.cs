using System.Management.Automation;
using PSContainers.Completers;

namespace PSContainers.Cmdlets;

/// <summary>A cmdlet that acts on containers named by id, id prefix or name, from arguments or the pipeline.</summary>
public abstract class ContainerIdentityCmdletBase : ContainerCmdletBase
{
    /// <summary>Full id, a unique id prefix (4+ characters) or a name; binds Id (then Name) of piped objects.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name", "ContainerId")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ContainerNameCompleter))]
    public string[] Id { get; set; } = [];
}
