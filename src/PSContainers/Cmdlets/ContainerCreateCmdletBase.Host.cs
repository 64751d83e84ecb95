using System.Collections;
using System.Management.Automation;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

// docker run's --device, --device-cgroup-rule, --sysctl, --group-add and --oom-score-adj options.
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

    private void ApplyHostParameters(ContainerCreateRequest request)
    {
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
