using System.Management.Automation;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

/// <summary>Invoke-Container (docker run): creates and starts a container; in the foreground streams its output and sets $LASTEXITCODE.</summary>
/// <remarks>
/// In the foreground this cmdlet is attached to the container from its first instruction (through the monitor's
/// attach socket): each line the container writes comes down the pipeline as it arrives (a ContainerLogEntry
/// whose default view is the text), and when it exits $LASTEXITCODE holds its exit code, as after a native
/// command; a non-zero exit code is not an error. -PassThru adds the container object (with ExitCode) at the end.
/// Ctrl+C stops the container. With -Interactive in a terminal the container gets a pty and this terminal talks
/// to it directly (docker run -it: raw bytes, window size, Ctrl+C goes to the container); with -Interactive and
/// a redirected stdin, that stdin is piped to the container (docker run -i). With -Detach the container object
/// is written as soon as it runs.
/// </remarks>
[Cmdlet(VerbsLifecycle.Invoke, "Container", SupportsShouldProcess = true, DefaultParameterSetName = ImageSet)]
[OutputType(typeof(ContainerLogEntry), typeof(ContainerInfo))]
public sealed class InvokeContainerCommand : ContainerCreateCmdletBase
{
    private int? _startExitCode;

    [Parameter]
    public SwitchParameter Detach { get; set; }

    /// <summary>Delete the container when it exits (docker run --rm).</summary>
    [Parameter]
    public SwitchParameter Remove { get; set; }

    /// <summary>Keep the container's stdin open and, in a terminal, give it a pty (docker run -it).</summary>
    [Parameter]
    [Alias("it")]
    public SwitchParameter Interactive { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Name ?? Source, "Create and start container"))
        {
            return;
        }

        var relay = new TerminalRelay();
        var tty = Interactive && (Detach || relay.IsTerminal);
        // The monitor removes a -Remove container when it exits, also when this pwsh is gone by then.
        var request = BuildRequest(autoRemove: Remove);
        request.OpenStdin = Interactive;
        request.Tty = tty;
        if (tty && TerminalRelay.WindowSize(1) is { } size)
        {
            (request.ConsoleRows, request.ConsoleColumns) = (size.Rows, size.Cols);
        }

        var created = Engine(Source, (engine, ct) => engine.Create(request, ct));
        if (created is null)
        {
            return;
        }

        if (Detach)
        {
            if (Engine(created.Name, (engine, ct) => StartOrRemove(engine, created.Id, () => engine.Start(created.Id, ct))) is { } started)
            {
                WriteObject(started);
            }
            else
            {
                SetStartFailedExitCode();
            }

            return;
        }

        var startedAt = DateTimeOffset.UtcNow;
        var attachment = Engine(created.Name, (engine, ct) => StartOrRemove(engine, created.Id, () => engine.StartAttached(created.Id, ct)));
        if (attachment is null)
        {
            SetStartFailedExitCode();
            return;
        }

        // A -Remove container's record is gone when it ends: -PassThru needs what only the running record has.
        var running = PassThru && Remove ? Engine(created.Name, (engine, _) => TryGet(engine, created.Id)) : null;

        try
        {
            if (tty)
            {
                RunWithLogging((_, ct) =>
                {
                    relay.Run(attachment, ct);
                    return 0;
                });
            }
            else
            {
                Stream<ContainerLogEntry>(created.Name, (engine, add, ct) =>
                {
                    using var inputDone = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    var input = Interactive ? Task.Run(() => attachment.PumpInput(0, inputDone.Token), CancellationToken.None) : Task.CompletedTask;
                    try
                    {
                        foreach (var entry in attachment.ReadLines(ct))
                        {
                            add(entry);
                        }
                    }
                    finally
                    {
                        inputDone.Cancel();
                        input.Wait(CancellationToken.None);
                    }
                }, WriteObject);
            }

            if (attachment.Ended)
            {
                Finish(running ?? created, running?.StartedAt ?? startedAt, attachment);
            }
        }
        finally
        {
            attachment.Dispose();
            if (!attachment.Ended)
            {
                // Ctrl+C or a stopped pipeline: stop (and remove) what this cmdlet started.
                RunWithLogging((log, _) =>
                {
                    var engine = new ContainerService(logger: log);
                    try
                    {
                        engine.Stop(created.Id, null, null, CancellationToken.None);
                        if (Remove)
                        {
                            engine.Remove(created.Id, force: true, removeVolumes: true, CancellationToken.None);
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

    /// <summary>After the final exit frame: $LASTEXITCODE, -PassThru, and the monitor's clean-up (the record of a -Remove container) done.</summary>
    private void Finish(ContainerInfo created, DateTimeOffset startedAt, ContainerAttachment attachment)
    {
        var info = Engine(created.Name, (engine, ct) =>
        {
            // The monitor wrote the final status before its exit frame; a -Remove container's record goes once it ends.
            ContainerInfo? last = null;
            try
            {
                // Only -PassThru or a lost exit frame needs the record; the exit frame has the code.
                if (PassThru || attachment.ExitCode is null)
                {
                    last = engine.Get(created.Id);
                }
            }
            catch (ContainerEngineException e) when (e.ErrorId == "ContainerNotFound")
            {
                // Removed already (-Remove): the exit frame says how it ended.
            }

            engine.AwaitMonitorExit(created.Id, ct);
            return last ?? new ContainerInfo
            {
                Id = created.Id, Name = created.Name, RootFs = created.RootFs, Image = created.Image, ImageId = created.ImageId, Command = created.Command,
                Status = ContainerStatus.Exited, ExitCode = attachment.ExitCode, OomKilled = attachment.OomKilled, Created = created.Created,
                StartedAt = startedAt, FinishedAt = DateTimeOffset.UtcNow, Labels = created.Labels, Config = created.Config,
                Networks = created.Networks, Ports = created.Ports,
            };
        });
        var code = attachment.ExitCode ?? info?.ExitCode;
        if (code is { } c)
        {
            SetLastExitCode(c);
        }

        if (PassThru && info is not null)
        {
            WriteObject(info);
        }
    }

    private static ContainerInfo? TryGet(IContainerService engine, string id)
    {
        try
        {
            return engine.Get(id);
        }
        catch (ContainerEngineException e) when (e.ErrorId == "ContainerNotFound")
        {
            // Ended and removed already.
            return null;
        }
    }

    private T StartOrRemove<T>(IContainerService engine, string id, Func<T> start)
    {
        try
        {
            return start();
        }
        catch (Exception e)
        {
            _startExitCode = (e as ContainerEngineException)?.ExitCode;
            if (Remove)
            {
                engine.Remove(id, force: true, removeVolumes: true, CancellationToken.None);
            }

            throw;
        }
    }

    /// <summary>$LASTEXITCODE of a run whose container did not start, as docker run exits: 127 command not found, 126 not runnable, else 125.</summary>
    private void SetStartFailedExitCode() => SetLastExitCode(_startExitCode is 126 or 127 ? _startExitCode.Value : 125);
}
