using PSContainers.Core.Build.Cache;
using PSContainers.Core.Images;
using PSContainers.Native;

namespace PSContainers.Core.Build.Executor;

/// <summary>
/// The image built so far as one writable tree for COPY, ADD and WORKDIR: an overlay of its layers whose upper
/// directory is a fresh temporary snapshot, so what the step writes is exactly the new layer, deletions and
/// copy-ups as the kernel makes them for a RUN. The overlay is mounted in the engine process (no namespace change)
/// and always unmounted before the snapshot is used or thrown away.
/// </summary>
internal sealed class ScratchOverlay : IDisposable
{
    private readonly ImageService _images;
    private readonly string _runDir;
    private string? _temp;
    private int _lockFd = -1;
    private bool _mounted;

    private ScratchOverlay(ImageService images, string runDir)
    {
        _images = images;
        _runDir = runDir;
    }

    /// <summary>Where the step reads and writes the image's files.</summary>
    public string Root { get; private set; } = "";

    public static ScratchOverlay Mount(ImageService images, IReadOnlyList<BuildLayer> layers, string runRoot)
    {
        var overlay = new ScratchOverlay(images, Path.Combine(runRoot, "build", $"{Environment.ProcessId}-{Guid.NewGuid():N}"));
        try
        {
            (overlay._temp, overlay._lockFd) = images.Snapshots.BeginTemp();
            var upper = Path.Combine(overlay._temp, "fs");
            if (layers.Count == 0)
            {
                // FROM scratch: nothing below, so the new layer's directory is the whole tree.
                overlay.Root = upper;
                return overlay;
            }

            var work = Path.Combine(overlay._temp, "work");
            Directory.CreateDirectory(work);
            var merged = Path.Combine(overlay._runDir, "merged");
            Directory.CreateDirectory(merged);
            var lower = string.Join(':', layers.AsEnumerable().Reverse().Select(l => images.Snapshots.LowerDir(Digest.Parse(l.ChainId))));
            Libc.Check(Libc.Mount("overlay", merged, "overlay", Consts.MS_NODEV, $"lowerdir={lower},upperdir={upper},workdir={work}"), "mount", merged);
            overlay._mounted = true;
            overlay.Root = merged;
            return overlay;
        }
        catch
        {
            overlay.Dispose();
            throw;
        }
    }

    /// <summary>A throw-away writable view of a host directory (a RUN --mount=type=bind,rw source): writes go to a temporary upper directory.</summary>
    public static ScratchOverlay MountDirectory(ImageService images, string directory, string runRoot)
    {
        var overlay = new ScratchOverlay(images, Path.Combine(runRoot, "build", $"{Environment.ProcessId}-{Guid.NewGuid():N}"));
        try
        {
            (overlay._temp, overlay._lockFd) = images.Snapshots.BeginTemp();
            var upper = Path.Combine(overlay._temp, "fs");
            var work = Path.Combine(overlay._temp, "work");
            Directory.CreateDirectory(work);
            var merged = Path.Combine(overlay._runDir, "merged");
            Directory.CreateDirectory(merged);
            Libc.Check(Libc.Mount("overlay", merged, "overlay", Consts.MS_NODEV, $"lowerdir={directory},upperdir={upper},workdir={work}"), "mount", merged);
            overlay._mounted = true;
            overlay.Root = merged;
            return overlay;
        }
        catch
        {
            overlay.Dispose();
            throw;
        }
    }

    /// <summary>Unmounts and hands the temporary snapshot (with the changes in fs/) to the caller, who commits and ends it.</summary>
    public (string TempPath, int LockFd) Finish()
    {
        Unmount();
        var work = Path.Combine(_temp!, "work");
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }

        var result = (_temp!, _lockFd);
        _temp = null;
        _lockFd = -1;
        DeleteRunDir();
        return result;
    }

    private void Unmount()
    {
        if (_mounted)
        {
            var merged = Path.Combine(_runDir, "merged");
            Libc.Check(Libc.Umount2(merged, Consts.MNT_DETACH), "umount2", merged);
            _mounted = false;
        }
    }

    private void DeleteRunDir()
    {
        if (Directory.Exists(_runDir))
        {
            Directory.Delete(_runDir, recursive: true);
        }
    }

    public void Dispose()
    {
        Unmount();
        if (_temp is not null)
        {
            _images.Snapshots.EndTemp(_temp, _lockFd);
            _temp = null;
        }

        DeleteRunDir();
    }
}
