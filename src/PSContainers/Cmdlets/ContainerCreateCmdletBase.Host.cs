using System.Collections;
using System.Management.Automation;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

// docker run's --device, --device-cgroup-rule, --sysctl, --group-add, --oom-score-adj, --pid, --ipc and --uts options.
public abstract partial class ContainerCreateCmdletBase
{
    /// <summary>HOST[:CONTAINER[:PERMS]]: a host device node made in the container's /dev and allowed by its device cgroup (PERMS of r, w, m).</summary>
    [Parameter]
    public string[] Device { get; set; } = [];

    /// <summary>'TYPE MAJOR:MINOR ACCESS' rules added to the device cgroup's allow list, e.g. 'c 1:3 rwm' or 'b 8:* r'.</summary>
    [Parameter]
    public string[] DeviceCgroupRule { get; set; } = [];

    /// <summary>Namespaced kernel parameters: a hashtable (@{ 'net.ipv4.ip_forward' = 1 }) or name=value strings.</summary>
    [Parameter]
    public object[] Sysctl { get; set; } = [];

    /// <summary>Extra groups of the container's processes: names from the container's /etc/group, or gids.</summary>
    [Parameter]
    public string[] GroupAdd { get; set; } = [];

    /// <summary>The process's OOM score adjustment, -1000 (never killed first) to 1000 (killed first).</summary>
    [Parameter]
    [ValidateRange(-1000, 1000)]
    public int OomScoreAdj { get; set; }

    /// <summary>host or container:NAME: the PID namespace of the host or of a running container (docker run --pid).</summary>
    [Parameter]
    public string? Pid { get; set; }

    /// <summary>private (default), shareable, host or container:NAME of a shareable container (docker run --ipc).</summary>
    [Parameter]
    public string? Ipc { get; set; }

    /// <summary>host: the host's UTS namespace and hostname (docker run --uts).</summary>
    [Parameter]
    public string? Uts { get; set; }

    private void ApplyHostParameters(ContainerCreateRequest request)
    {
        request.PidMode = Pid;
        request.IpcMode = Ipc;
        request.UtsMode = Uts;
        request.Devices = [.. Device];
        request.DeviceCgroupRules = [.. DeviceCgroupRule];
        request.GroupAdd = [.. GroupAdd];
        request.OomScoreAdj = MyInvocation.BoundParameters.ContainsKey(nameof(OomScoreAdj)) ? OomScoreAdj : null;
        foreach (var item in Sysctl)
        {
            switch (item is PSObject wrapped ? wrapped.BaseObject : item)
            {
                case IDictionary table:
                    foreach (DictionaryEntry e in table)
                    {
                        request.Sysctls[e.Key.ToString()!] = LanguagePrimitives.ConvertTo<string>(e.Value) ?? "";
                    }

                    break;
                case string text when text.IndexOf('=') > 0:
                    request.Sysctls[text[..text.IndexOf('=')]] = text[(text.IndexOf('=') + 1)..];
                    break;
                default:
                    ThrowTerminatingError(new ErrorRecord(
                        new ArgumentException($"-Sysctl \"{item}\" is neither name=value nor a hashtable of names and values.", nameof(Sysctl)),
                        "InvalidArgument", ErrorCategory.InvalidArgument, item));
                    break;
            }
        }
    }
}
