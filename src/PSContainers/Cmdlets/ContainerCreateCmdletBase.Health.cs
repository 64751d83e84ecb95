using System.Management.Automation;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

// docker run's --health-* and --no-healthcheck options.
public abstract partial class ContainerCreateCmdletBase
{
    /// <summary>The health check's command: a string runs through the container's /bin/sh -c (CMD-SHELL), an array is the argv (CMD). Exit 0 is healthy.</summary>
    [Parameter]
    [ValidateNotNull]
    public object? HealthCommand { get; set; }

    /// <summary>Time between checks (default 30 s), counted from the end of the previous one.</summary>
    [Parameter]
    public TimeSpan? HealthInterval { get; set; }

    /// <summary>How long one check may run before it is killed and counted as failed (default 30 s).</summary>
    [Parameter]
    public TimeSpan? HealthTimeout { get; set; }

    /// <summary>Consecutive failures that make the container unhealthy (default 3).</summary>
    [Parameter]
    public int? HealthRetries { get; set; }

    /// <summary>Time after the start during which failures do not count (until the first success).</summary>
    [Parameter]
    public TimeSpan? HealthStartPeriod { get; set; }

    /// <summary>Time between checks during the start period (default 5 s).</summary>
    [Parameter]
    public TimeSpan? HealthStartInterval { get; set; }

    /// <summary>Disables any health check, the image's HEALTHCHECK included.</summary>
    [Parameter]
    public SwitchParameter NoHealthcheck { get; set; }

    private void ApplyHealthParameters(ContainerCreateRequest request)
    {
        var command = HealthCommand is PSObject wrapped ? wrapped.BaseObject : HealthCommand;
        var shell = command as string;
        var argv = command is System.Collections.IEnumerable items and not string
            ? items.Cast<object?>().Select(i => (i is PSObject p ? p.BaseObject : i)?.ToString()!).ToList()
            : command is null or string ? null : [command.ToString()!];
        try
        {
            request.Healthcheck = HealthcheckRules.FromRunOptions(shell, argv, HealthInterval, HealthTimeout, HealthStartPeriod, HealthStartInterval, HealthRetries, NoHealthcheck);
            HealthcheckRules.Validate(request.Healthcheck);
        }
        catch (ContainerEngineException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, e.ErrorId, ErrorCategory.InvalidArgument, HealthCommand));
        }
    }
}
