using System.Management.Automation;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

/// <summary>Invoke-Container (docker run): creates and starts a container; in the foreground streams its output and sets $LASTEXITCODE.</summary>
/// <remarks>
/// In the foreground, each line the container writes comes down the pipeline as it arrives (a ContainerLogEntry
/// whose default view is the text), and when it exits $LASTEXITCODE holds its exit code, as after a native
/// command; a non-zero exit code is not an error. -PassThru adds the container object (with ExitCode) at the end.
/// Ctrl+C stops the container. With -Detach the container object is written as soon as it runs.
/// </remarks>
[Cmdlet(VerbsLifecycle.Invoke, "Container", SupportsShouldProcess = true, DefaultParameterSetName = ImageSet)]
[OutputType(typeof(ContainerLogEntry), typeof(ContainerInfo))]
public sealed class InvokeContainerCommand : ContainerCreateCmdletBase
{
    [Parameter]
    public SwitchParameter Detach { get; set; }

    /// <summary>Delete the container when it exits (docker run --rm).</summary>
    [Parameter]
    public SwitchParameter Remove { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Name ?? Source, "Create and start container"))
        {
            return;
        }

        // Detached, the monitor removes it on exit; in the foreground this cmdlet does, after reading the exit code.
        var request = BuildRequest(autoRemove: Remove && Detach);
        var created = Engine(Source, (engine, ct) => engine.Create(request, ct));
        if (created is null)
        {
            return;
        }

        var started = Engine(created.Name, (engine, ct) =>
        {
            try
            {
                return engine.Start(created.Id, ct);
            }
            catch when (Remove)
            {
                engine.Remove(created.Id, force: true, CancellationToken.None);
                throw;
            }
        });
        if (started is null)
        {
            return;
        }

        if (Detach)
        {
            WriteObject(started);
            return;
        }

        var finished = false;
        try
        {
            finished = Stream<ContainerLogEntry>(created.Name, (engine, add, ct) =>
            {
                foreach (var entry in engine.ReadLog(created.Id, follow: true, tail: null, since: null, ct))
                {
                    add(entry);
                }
            }, WriteObject);
            if (finished && Engine<int?>(created.Name, (engine, ct) => engine.Wait(created.Id, ct)) is { } code)
            {
                SetLastExitCode(code);
            }

            if (finished && PassThru && Engine(created.Name, (engine, _) => engine.Get(created.Id)) is { } info)
            {
                WriteObject(info);
            }
        }
        finally
        {
            if (!finished || Remove)
            {
                // Ctrl+C, a stopped pipeline or -Remove: stop (and remove) what this cmdlet started.
                RunWithLogging((log, _) =>
                {
                    var engine = new ContainerService(logger: log);
                    try
                    {
                        engine.Stop(created.Id, null, null, CancellationToken.None);
                        if (Remove)
                        {
                            engine.Remove(created.Id, force: true, CancellationToken.None);
                        }
                    }
                    catch (ContainerEngineException)
                    {
                        // Already gone.
                    }

                    return 0;
                });
            }
        }
    }
}
