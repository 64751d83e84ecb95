using System.Management.Automation;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

/// <summary>Wait-Container (docker wait): blocks until containers exit (or another condition holds) and writes their exit codes.</summary>
[Cmdlet(VerbsLifecycle.Wait, "Container")]
[OutputType(typeof(ContainerExit), typeof(ContainerInfo))]
public sealed class WaitContainerCommand : ContainerIdentityCmdletBase
{
    /// <summary>NotRunning (the default, docker's not-running), NextExit, Removed, or Healthy (writes the container once its health check passes).</summary>
    [Parameter]
    public ContainerWaitCondition Condition { get; set; } = ContainerWaitCondition.NotRunning;

    /// <summary>Gives up after this long with a WaitTimeout error; by default it waits as long as it takes (Ctrl+C stops it).</summary>
    [Parameter]
    public TimeSpan? Timeout { get; set; }

    protected override void BeginProcessing()
    {
        if (Timeout < TimeSpan.Zero)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "-Timeout cannot be negative."),
                "InvalidArgument", ErrorCategory.InvalidArgument, Timeout));
        }
    }

    protected override void ProcessRecord()
    {
        foreach (var id in Id)
        {
            using var timeout = new CancellationTokenSource();
            if (Timeout is { } t)
            {
                timeout.CancelAfter(t);
            }

            object? result;
            try
            {
                result = Engine(id, (engine, ct) =>
                {
                    using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
                    if (Condition == ContainerWaitCondition.Healthy)
                    {
                        return (object)engine.WaitHealthy(id, linked.Token);
                    }

                    var code = engine.Wait(id, Condition, linked.Token);
                    var info = Condition == ContainerWaitCondition.Removed ? null : engine.Get(id);
                    return new ContainerExit(info?.Id ?? id, info?.Name ?? id, code);
                });
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !StopToken.IsCancellationRequested)
            {
                // Our own timeout, not Ctrl+C: reported below.
                result = null;
            }

            if (result is not null)
            {
                WriteObject(result);
            }
            else if (timeout.IsCancellationRequested && !StopToken.IsCancellationRequested)
            {
                WriteError(new ErrorRecord(new TimeoutException($"Container {id} did not reach the condition {Condition} within {Timeout}."),
                    "WaitTimeout", ErrorCategory.OperationTimeout, id));
            }
        }
    }
}
