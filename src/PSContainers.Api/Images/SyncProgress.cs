namespace PSContainers.Api.Images;

/// <summary>
/// An IProgress that runs its handler on the reporting thread at once. Progress&lt;T&gt; posts each report to the
/// thread pool, so the lines of one blob could reach the client out of order ("Pull complete" before "Downloading").
/// </summary>
internal sealed class SyncProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
