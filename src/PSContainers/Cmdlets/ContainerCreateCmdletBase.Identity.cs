using System.Collections;
using System.Management.Automation;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

// docker run's --domainname, --annotation, --oom-kill-disable and --cgroupns.
public abstract partial class ContainerCreateCmdletBase
{
    /// <summary>The container's NIS domain name (docker run --domainname), in its own UTS namespace.</summary>
    [Parameter]
    public string? Domainname { get; set; }

    /// <summary>OCI annotations for the runtime (docker run --annotation); they add to the labels the runtime sees.</summary>
    [Parameter]
    public Hashtable? Annotation { get; set; }

    /// <summary>The kernel's OOM killer leaves the container's processes alone; they wait for memory instead (docker run --oom-kill-disable).</summary>
    [Parameter]
    public SwitchParameter OomKillDisable { get; set; }

    /// <summary>host or private: whether the container sees the host's cgroup tree or its own (docker run --cgroupns).</summary>
    [Parameter]
    [ValidateSet("host", "private")]
    public string? CgroupNamespace { get; set; }

    private void ApplyIdentityParameters(ContainerCreateRequest request)
    {
        request.Domainname = Domainname;
        request.OomKillDisable = OomKillDisable;
        request.CgroupNamespace = CgroupNamespace;
        foreach (DictionaryEntry e in Annotation ?? [])
        {
            request.Annotations[e.Key.ToString()!] = e.Value?.ToString() ?? "";
        }
    }
}
