using System.Management.Automation;
using PSContainers.Core.Registry;
using PSContainers.Progress;

namespace PSContainers.Cmdlets;

/// <summary>Shared plumbing of the registry cmdlets: one RegistryService call on a worker thread, its progress and log written as it goes.</summary>
public abstract class RegistryCmdletBase : ImageCmdletBase
{
    /// <summary>
    /// Runs one registry operation; transfer and unpack progress become Write-Progress records, failures a
    /// non-terminating error (and null). Ctrl+C cancels it; the content store keeps nothing half-written.
    /// </summary>
    private protected T? Registry<T>(object target, string activity, Func<RegistryService, TransferProgressView, CancellationToken, Task<T>> work)
    {
        var view = new TransferProgressView(activity);
        try
        {
            return RunWithLogging((log, ct) => work(new RegistryService(logger: log), view, ct).GetAwaiter().GetResult(), () => view.Render(this));
        }
        catch (Exception e) when (ToErrorRecord(e, target) is { } record)
        {
            WriteError(record);
            return default;
        }
        finally
        {
            try
            {
                view.Render(this, final: true);
            }
            catch (PipelineStoppedException)
            {
                // Ctrl+C: the pipeline takes no more records, and needs none.
            }
        }
    }

    /// <summary>A PSCredential as the engine takes it; the password leaves SecureString only here.</summary>
    protected static RegistryCredential? ToRegistryCredential(PSCredential? credential) =>
        credential is null || credential == PSCredential.Empty
            ? null
            : new RegistryCredential(credential.UserName, credential.GetNetworkCredential().Password, null, "-Credential");
}
