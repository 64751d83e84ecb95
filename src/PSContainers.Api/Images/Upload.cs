using PSContainers.Core.State;

namespace PSContainers.Api.Images;

/// <summary>
/// A request body (an image archive, a build context) spooled to a file under the run root, because the engine reads
/// archives synchronously and more than once (load detects the format first). Deleted on dispose, on every path.
/// </summary>
internal sealed class Upload : IAsyncDisposable
{
    private Upload(string path)
    {
        Path = path;
    }

    public string Path { get; }

    public static async Task<Upload> SpoolAsync(HttpContext context, EnginePaths paths)
    {
        var dir = System.IO.Path.Combine(paths.RunRoot, "api", "uploads");
        Directory.CreateDirectory(dir);
        var upload = new Upload(System.IO.Path.Combine(dir, Guid.NewGuid().ToString("N") + ".tar"));
        try
        {
            await using var file = new FileStream(upload.Path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            await context.Request.Body.CopyToAsync(file, 1 << 20, context.RequestAborted);
        }
        catch
        {
            await upload.DisposeAsync();
            throw;
        }

        return upload;
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
            // A file still open elsewhere goes with the run root; nothing else refers to it.
        }

        return ValueTask.CompletedTask;
    }
}
