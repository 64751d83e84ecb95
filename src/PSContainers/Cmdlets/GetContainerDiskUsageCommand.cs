using System.Management.Automation;
using PSContainers.Core.Images;

namespace PSContainers.Cmdlets;

/// <summary>Get-ContainerDiskUsage (docker system df): space used by images (unpacked layers), containers' own layers and the blob store.</summary>
[Cmdlet(VerbsCommon.Get, "ContainerDiskUsage")]
[OutputType(typeof(DiskUsageItem))]
public sealed class GetContainerDiskUsageCommand : ImageCmdletBase
{
    protected override void ProcessRecord()
    {
        foreach (var item in Images("disk usage", (service, _, _) => service.DiskUsage()) ?? [])
        {
            WriteObject(item);
        }
    }
}
