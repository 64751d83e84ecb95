using System.Management.Automation;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

/// <summary>Set-Container (docker update): changes a container's limits, live when it runs.</summary>
[Cmdlet(VerbsCommon.Set, "Container", SupportsShouldProcess = true)]
[OutputType(typeof(ContainerInfo))]
public sealed class SetContainerCommand : ContainerIdentityCmdletBase
{
    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long Memory { get; set; }

    [Parameter]
    public long MemorySwap { get; set; }

    [Parameter]
    public double Cpus { get; set; }

    [Parameter]
    public ulong CpuShares { get; set; }

    [Parameter]
    public string? CpusetCpus { get; set; }

    [Parameter]
    public long PidsLimit { get; set; }

    [Parameter]
    public ushort BlkioWeight { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var bound = MyInvocation.BoundParameters;
        var resources = new ContainerResources
        {
            Memory = bound.ContainsKey(nameof(Memory)) ? Memory : null,
            MemorySwap = bound.ContainsKey(nameof(MemorySwap)) ? MemorySwap : null,
            Cpus = bound.ContainsKey(nameof(Cpus)) ? Cpus : null,
            CpuShares = bound.ContainsKey(nameof(CpuShares)) ? CpuShares : null,
            CpusetCpus = CpusetCpus,
            PidsLimit = bound.ContainsKey(nameof(PidsLimit)) ? PidsLimit : null,
            BlkioWeight = bound.ContainsKey(nameof(BlkioWeight)) ? BlkioWeight : null,
        };
        foreach (var id in Id)
        {
            if (ShouldProcess(id, "Update container limits") && Engine(id, (engine, _) => engine.Update(id, resources)) is { } info && PassThru)
            {
                WriteObject(info);
            }
        }
    }
}
