using Microsoft.Extensions.Logging;
using PSContainers.Core.Containers;
using PSContainers.Core.Images;
using PSContainers.Native;
using PSContainers.Runtime.Paths;

namespace PSContainers.Core.Build.Executor;

/// <summary>
/// Runs one RUN step in a container of our own runtime and monitor on the layers built so far, and hands back its
/// upper directory (the step's changes) in a temporary snapshot; the container is removed on every path.
/// </summary>
internal sealed class BuildContainerRun
{
    private const int TailLines = 12;
    private readonly ContainerService _containers;
    private readonly ImageService _images;
    private readonly ILogger _log;

    public BuildContainerRun(ContainerService containers, ImageService images, ILogger log)
    {
        _containers = containers;
        _images = images;
        _log = log;
    }

    /// <summary>
    /// Runs the request on the layers (chainIDs, bottom first). On success returns a temporary snapshot (path and lock fd)
    /// whose fs/ holds the changes; the caller commits it and ends it with SnapshotStore.EndTemp.
    /// </summary>
    public (string TempPath, int LockFd) Run(ContainerCreateRequest request, IReadOnlyList<Digest> layers, string step, Action<ContainerLogEntry> output,
        CancellationToken cancellationToken)
    {
        var tail = new Queue<string>();
        var created = _containers.CreateOnLayers(request, layers, cancellationToken);
        try
        {
            PrepareWorkingDirectory(created.Id, request, layers);
            int? exitCode;
            ContainerAttachment attachment;
            try
            {
                attachment = _containers.StartAttached(created.Id, cancellationToken);
            }
            catch (ContainerEngineException e) when (e.ExitCode is { } code)
            {
                throw new ContainerEngineException("BuildStepFailed", $"{step} failed: the command could not start (exit code {code}): {e.Message}",
                    ContainerErrorKind.OperationFailed, step, e) { ExitCode = code };
            }

            using (attachment)
            {
                foreach (var line in attachment.ReadLines(cancellationToken))
                {
                    output(line);
                    tail.Enqueue(line.Text);
                    if (tail.Count > TailLines)
                    {
                        tail.Dequeue();
                    }
                }

                cancellationToken.ThrowIfCancellationRequested();
                exitCode = attachment.ExitCode;
            }

            _containers.AwaitMonitorExit(created.Id, cancellationToken);
            if (exitCode is null or not 0)
            {
                var code = exitCode ?? _containers.Get(created.Id).ExitCode ?? -1;
                var lines = tail.ToList();
                var shown = lines.Count == 0 ? " It wrote no output." : " Its last lines:" + Environment.NewLine + string.Join(Environment.NewLine, lines.Select(l => "  " + l));
                throw new ContainerEngineException("BuildStepFailed", $"{step} failed: the command {FormatCommand(request.Command)} exited with code {code}.{shown}",
                    ContainerErrorKind.OperationFailed, step) { ExitCode = code };
            }

            var (temp, lockFd) = _images.Snapshots.BeginTemp();
            try
            {
                var fs = Path.Combine(temp, "fs");
                Directory.Delete(fs);
                _containers.TakeUpperDir(created.Id, fs, cancellationToken);
                return (temp, lockFd);
            }
            catch
            {
                _images.Snapshots.EndTemp(temp, lockFd);
                throw;
            }
        }
        finally
        {
            try
            {
                // Never cancelled: a Ctrl+C must still remove the container, its mount and its cgroup.
                _containers.Remove(created.Id, force: true, CancellationToken.None);
            }
            catch (Exception e) when (e is ContainerEngineException or IOException)
            {
                _log.LogWarning("could not remove the build container {Id}: {Error}", created.Id, e.Message);
            }
        }
    }

    /// <summary>
    /// A WORKDIR that does not exist yet is made before a non-root USER's step runs, owned by that user, as docker
    /// and podman make it (the runtime would make it as root, and the user could not write in it). It is made through
    /// an overlay on the container's own upper directory, so it lands in this step's layer.
    /// </summary>
    private void PrepareWorkingDirectory(string id, ContainerCreateRequest request, IReadOnlyList<Digest> layers)
    {
        if (string.IsNullOrEmpty(request.WorkingDirectory) || request.WorkingDirectory == "/" || string.IsNullOrEmpty(request.User) || layers.Count == 0)
        {
            return;
        }

        var lowers = layers.AsEnumerable().Reverse().Select(l => _images.Snapshots.FsDir(l)).ToList();
        var (uid, gid, _) = UserResolver.Resolve(lowers, request.User);
        if (uid == 0)
        {
            return;
        }

        var merged = Path.Combine(_containers.Paths.RunRoot, "build", $"workdir-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(merged);
        try
        {
            var lower = string.Join(':', layers.AsEnumerable().Reverse().Select(l => _images.Snapshots.LowerDir(l)));
            Libc.Check(Libc.Mount("overlay", merged, "overlay", Consts.MS_NODEV,
                $"lowerdir={lower},upperdir={_containers.Paths.UpperDir(id)},workdir={_containers.Paths.WorkDir(id)}"), "mount", merged);
            try
            {
                var parts = request.WorkingDirectory.Split('/', StringSplitOptions.RemoveEmptyEntries);
                for (var i = 1; i <= parts.Length; i++)
                {
                    var path = "/" + string.Join('/', parts[..i]);
                    var host = SecurePath.Resolve(merged, path);
                    if (Directory.Exists(host))
                    {
                        continue;
                    }

                    host = SecurePath.MkdirAll(merged, path, (UnixFileMode)0x1ED);
                    Libc.Check(Libc.Chown(host, uid, gid), "chown", host);
                }
            }
            finally
            {
                Libc.Check(Libc.Umount2(merged, 0), "umount2", merged);
            }
        }
        finally
        {
            Directory.Delete(merged);
        }
    }

    private static string FormatCommand(IReadOnlyList<string> command) =>
        "[" + string.Join(", ", command.Select(a => "\"" + a.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"")) + "]";
}
