using System.Collections;
using System.Management.Automation;
using PSContainers.Core.Volumes;

namespace PSContainers.Cmdlets;

/// <summary>New-ContainerVolume (docker volume create): a named volume with the local driver, optionally backed by a tmpfs, a host directory or a device.</summary>
[Cmdlet(VerbsCommon.New, "ContainerVolume", SupportsShouldProcess = true)]
[OutputType(typeof(ContainerVolume))]
public sealed class NewContainerVolumeCommand : VolumeCmdletBase
{
    /// <summary>The volume's name; a 64-hex name is generated when it is left out.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    public string? Name { get; set; }

    [Parameter]
    public Hashtable? Label { get; set; }

    /// <summary>Only local exists.</summary>
    [Parameter]
    public string Driver { get; set; } = VolumeService.LocalDriver;

    /// <summary>The local driver's options: type, device and o (docker volume create -o).</summary>
    [Parameter]
    public Hashtable? Option { get; set; }

    protected override void ProcessRecord()
    {
        if (!ShouldProcess(string.IsNullOrEmpty(Name) ? "a volume with a generated name" : Name, "Create volume"))
        {
            return;
        }

        var labels = ToDictionary(Label);
        var options = ToDictionary(Option);
        if (Volumes(Name ?? "", (service, ct) => service.Create(Name, labels, options, Driver, ct)) is { } volume)
        {
            WriteObject(volume);
        }
    }

    private static Dictionary<string, string> ToDictionary(Hashtable? table)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in table ?? [])
        {
            result[e.Key.ToString()!] = e.Value?.ToString() ?? "";
        }

        return result;
    }
}
