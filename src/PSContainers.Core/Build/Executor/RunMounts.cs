using PSContainers.Core.Build.Cache;
using PSContainers.Core.Build.Instructions;
using PSContainers.Core.Containers;
using PSContainers.Core.Images;
using PSContainers.Core.State;
using PSContainers.Native;
using PSContainers.Runtime.Paths;
using SpecMount = PSContainers.Runtime.Spec.Mount;

namespace PSContainers.Core.Build.Executor;

/// <summary>
/// The host side of a RUN's --mount options, prepared before the step and released after it (on every path):
/// cache directories kept under the storage root, bind sources from the context or a stage, tmpfs, and secrets
/// copied with their mode and owner into a private file under the run root.
/// </summary>
/// <remarks>
/// A bind from the context is read-only unless rw; with rw the writes go to an overlay over the source that is
/// thrown away afterwards, as BuildKit discards them, so the user's context never changes. Mount targets that the
/// runtime had to create (a directory that the image did not have) are removed from the step's changes, so a
/// mount leaves no trace in the layer.
/// </remarks>
internal sealed class RunMounts : IDisposable
{
    private readonly List<Action> _release = [];
    private readonly List<string> _targets = [];

    private RunMounts()
    {
    }

    /// <summary>The container paths of the mounts, for removing the mount points the runtime created from the layer.</summary>
    public IReadOnlyList<string> Targets => _targets;

    public static RunMounts Prepare(BuildSession session, StageBuilder stage, RunInstruction run, ContainerCreateRequest request, string step, CancellationToken cancellationToken)
    {
        var mounts = new RunMounts();
        try
        {
            foreach (var mount in run.Mounts)
            {
                cancellationToken.ThrowIfCancellationRequested();
                switch (mount.Type)
                {
                    case RunMountType.Cache:
                        mounts.Cache(session, mount, request, step);
                        break;
                    case RunMountType.Bind:
                        mounts.Bind(session, stage, mount, request, step, cancellationToken);
                        break;
                    case RunMountType.Tmpfs:
                        var target = Target(mount, step);
                        var options = new List<string> { "nosuid", "nodev" };
                        if (mount.Size is { } size)
                        {
                            options.Add("size=" + size);
                        }

                        mounts.Add(request, new SpecMount { Destination = target, Type = "tmpfs", Source = "tmpfs", Options = options });
                        break;
                    case RunMountType.Secret:
                        mounts.Secret(session, mount, request, step);
                        break;
                    default:
                        throw new ContainerEngineException("BuildMountNotSupported", $"{step}: RUN --mount=type={mount.Type} is not supported.", ContainerErrorKind.InvalidArgument, step);
                }
            }

            return mounts;
        }
        catch
        {
            mounts.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A heredoc script run as a program (RUN &lt;&lt;EOF whose body starts with #!, as BuildKit runs it): the body in a
    /// private file bind-mounted at /dev/pipes/NAME (inside the container's /dev tmpfs, so never in a layer), which the
    /// kernel starts through its #! line. Returns the path to run.
    /// </summary>
    public string Script(BuildSession session, ContainerCreateRequest request, Heredoc heredoc)
    {
        var dir = Path.Combine(session.Images.Paths.RunRoot, "build", "heredoc-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        _release.Add(() => Directory.Delete(dir, recursive: true));
        var file = Path.Combine(dir, "script");
        File.WriteAllText(file, heredoc.Content);
        Libc.Check(Libc.Chmod(file, 0x1ED), "chmod", file);
        var target = "/dev/pipes/" + heredoc.Name;
        Add(request, new SpecMount { Destination = target, Type = "bind", Source = file, Options = ["bind", "ro", "nosuid", "nodev"] });
        return target;
    }

    private void Add(ContainerCreateRequest request, SpecMount mount)
    {
        request.BuildMounts.Add(mount);
        _targets.Add(mount.Destination);
    }

    private static string Target(RunMount mount, string step)
    {
        if (string.IsNullOrEmpty(mount.Target))
        {
            throw new ContainerEngineException("BuildInvalidInstruction", $"{step}: RUN --mount=type={mount.Type.ToString().ToLowerInvariant()} needs target=PATH.",
                ContainerErrorKind.InvalidArgument, step);
        }

        return mount.Target.StartsWith('/') ? mount.Target : "/" + mount.Target;
    }

    private void Cache(BuildSession session, RunMount mount, ContainerCreateRequest request, string step)
    {
        if (mount.From is not null)
        {
            throw new ContainerEngineException("BuildMountNotSupported", $"{step}: RUN --mount=type=cache,from=... is not supported; a cache starts empty.",
                ContainerErrorKind.InvalidArgument, step);
        }

        var target = Target(mount, step);
        var id = mount.Id ?? target;
        var root = session.Cache.MountDir(id);
        var dir = Path.Combine(root, "data");
        if (!Directory.Exists(dir))
        {
            Directory.CreateDirectory(root);
            Directory.CreateDirectory(dir);
            Libc.Check(Libc.Chmod(dir, mount.Mode ?? 0x1ED), "chmod", dir);
            Libc.Check(Libc.Chown(dir, mount.Uid ?? 0, mount.Gid ?? 0), "chown", dir);
        }

        var source = dir;
        switch (mount.Sharing)
        {
            case CacheSharing.Locked:
                // One step at a time, across builds and sessions.
                var lockFile = FileLock.Acquire(Path.Combine(root, "lock"), TimeSpan.FromMinutes(30), CancellationToken.None);
                _release.Add(lockFile.Dispose);
                break;
            case CacheSharing.Private:
                // The shared directory when no other step uses it, else a fresh one thrown away afterwards.
                try
                {
                    var held = FileLock.Acquire(Path.Combine(root, "lock"), TimeSpan.Zero, CancellationToken.None);
                    _release.Add(held.Dispose);
                }
                catch (TimeoutException)
                {
                    source = Path.Combine(root, "private-" + Guid.NewGuid().ToString("N"));
                    Directory.CreateDirectory(source);
                    var created = source;
                    _release.Add(() => Directory.Delete(created, recursive: true));
                }

                break;
        }

        Add(request, new SpecMount { Destination = target, Type = "bind", Source = source, Options = ["rbind", mount.ReadOnly ? "ro" : "rw"] });
    }

    private void Bind(BuildSession session, StageBuilder stage, RunMount mount, ContainerCreateRequest request, string step, CancellationToken cancellationToken)
    {
        var target = Target(mount, step);
        string root;
        if (mount.From is { } from)
        {
            var (layers, _) = stage.LayersOf(from, cancellationToken);
            var view = ScratchOverlay.Mount(session.Images, layers, session.Images.Paths.RunRoot);
            _release.Add(view.Dispose);
            root = view.Root;
        }
        else
        {
            root = session.Context.Root;
        }

        var relative = session.Context.Clean(mount.Source ?? ".", step);
        var source = relative.Length == 0 ? root : SecurePath.Resolve(root, relative);
        if (!Directory.Exists(source) && !File.Exists(source))
        {
            throw new ContainerEngineException("BuildSourceNotFound", $"{step}: the bind source \"{mount.Source}\" does not exist.", ContainerErrorKind.NotFound, mount.Source);
        }

        if (!mount.ReadOnly && Directory.Exists(source))
        {
            // rw: writes land in a throw-away overlay, never in the source.
            var scratch = ScratchOverlay.MountDirectory(session.Images, source, session.Images.Paths.RunRoot);
            _release.Add(scratch.Dispose);
            source = scratch.Root;
        }

        Add(request, new SpecMount { Destination = target, Type = "bind", Source = source, Options = ["rbind", mount.ReadOnly ? "ro" : "rw"] });
    }

    private void Secret(BuildSession session, RunMount mount, ContainerCreateRequest request, string step)
    {
        var id = mount.Id ?? (mount.Target is { Length: > 0 } t ? Path.GetFileName(t) : null)
            ?? throw new ContainerEngineException("BuildInvalidInstruction", $"{step}: RUN --mount=type=secret needs id= or target=.", ContainerErrorKind.InvalidArgument, step);
        if (!session.Request.Secrets.TryGetValue(id, out var file))
        {
            if (mount.Required)
            {
                throw new ContainerEngineException("BuildSecretNotFound", $"{step}: the secret \"{id}\" is required; give it with -Secret id={id},src=PATH.", ContainerErrorKind.NotFound, id);
            }

            return;
        }

        if (mount.Env is { Length: > 0 } variable)
        {
            request.Environment[variable] = File.ReadAllText(file);
            if (mount.Target is null)
            {
                return;
            }
        }

        // A private copy with the mode and owner the mount asks for (0400 root by default), under the run root.
        var dir = Path.Combine(session.Images.Paths.RunRoot, "build", "secrets-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        Libc.Check(Libc.Chmod(dir, 0x1C0), "chmod", dir);
        _release.Add(() => Directory.Delete(dir, recursive: true));
        var copy = Path.Combine(dir, "secret");
        File.Copy(file, copy);
        Libc.Check(Libc.Chmod(copy, mount.Mode ?? 0x100), "chmod", copy);
        Libc.Check(Libc.Chown(copy, mount.Uid ?? 0, mount.Gid ?? 0), "chown", copy);
        var target = mount.Target is { Length: > 0 } given ? (given.StartsWith('/') ? given : "/" + given) : "/run/secrets/" + id;
        Add(request, new SpecMount { Destination = target, Type = "bind", Source = copy, Options = ["bind", "ro", "nosuid", "nodev", "noexec"] });
    }

    /// <summary>
    /// Deletes from a step's changes the mount points the runtime created: an empty directory or file at a target
    /// (and its empty parents) that no lower layer has.
    /// </summary>
    public static void RemoveMountPoints(string upper, IReadOnlyList<BuildLayer> layers, IReadOnlyList<string> targets, SnapshotLookup lookup)
    {
        foreach (var target in targets.OrderByDescending(t => t.Length))
        {
            var path = target.TrimEnd('/');
            while (path.Length > 1)
            {
                var host = Path.Join(upper, path);
                if (!LibcAt.Lstat(host, out var st) || lookup.ExistsBelow(layers, path))
                {
                    break;
                }

                if (st.Type == Consts.S_IFDIR && !Directory.EnumerateFileSystemEntries(host).Any())
                {
                    Directory.Delete(host);
                }
                else if (st.Type == Consts.S_IFREG && st.Size == 0 && path == target.TrimEnd('/'))
                {
                    File.Delete(host);
                }
                else
                {
                    break;
                }

                path = Path.GetDirectoryName(path) ?? "/";
            }
        }
    }

    public void Dispose()
    {
        for (var i = _release.Count - 1; i >= 0; i--)
        {
            _release[i]();
        }

        _release.Clear();
    }
}
