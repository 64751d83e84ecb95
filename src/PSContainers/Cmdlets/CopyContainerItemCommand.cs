using System.Management.Automation;
using PSContainers.Completers;

namespace PSContainers.Cmdlets;

/// <summary>Copy-ContainerItem (docker cp) for running containers: -Path CONTAINER:PATH -Destination HOSTPATH, or a host -Path to -Destination CONTAINER:PATH.</summary>
[Cmdlet(VerbsCommon.Copy, "ContainerItem", SupportsShouldProcess = true)]
public sealed class CopyContainerItemCommand : ContainerCmdletBase
{
    /// <summary>The source: a host path, or NAME:/path inside a container.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(ContainerNameCompleter))]
    public string Path { get; set; } = "";

    /// <summary>The destination: a host path, or NAME:/path inside a container.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ArgumentCompleter(typeof(ContainerNameCompleter))]
    public string Destination { get; set; } = "";

    protected override void ProcessRecord()
    {
        var from = Split(Path);
        var to = Split(Destination);
        if ((from.Container is null) == (to.Container is null))
        {
            var e = Core.Containers.ContainerEngineException.Invalid("Exactly one of -Path and -Destination must name a container path as NAME:/path.");
            ThrowTerminatingError(new ErrorRecord(e, e.ErrorId, ErrorCategory.InvalidArgument, Path));
        }

        if (!ShouldProcess($"{Path} -> {Destination}", "Copy"))
        {
            return;
        }

        if (from.Container is { } source)
        {
            var host = GetUnresolvedProviderPathFromPSPath(to.Path);
            Engine(source, (engine, _) => { engine.CopyFrom(source, from.Path, host); return true; });
        }
        else
        {
            var host = GetUnresolvedProviderPathFromPSPath(from.Path);
            Engine(to.Container!, (engine, _) => { engine.CopyTo(to.Container!, host, to.Path); return true; });
        }
    }

    // "name:/path" names a container path; a host path with a colon must be written ./a:b.
    private static (string? Container, string Path) Split(string value)
    {
        var colon = value.IndexOf(':');
        return colon > 0 && !value[..colon].Contains('/') ? (value[..colon], value[(colon + 1)..]) : (null, value);
    }
}
