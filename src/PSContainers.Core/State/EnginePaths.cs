namespace PSContainers.Core.State;

/// <summary>Where the engine keeps containers: persistent records under the storage root, run state under the run root.</summary>
public sealed class EnginePaths
{
    public const string DefaultRoot = "/var/lib/pscontainers";
    public const string DefaultRunRoot = "/run/pscontainers";

    public EnginePaths(string root, string runRoot)
    {
        Root = Path.GetFullPath(root);
        RunRoot = Path.GetFullPath(runRoot);
    }

    public string Root { get; }

    public string RunRoot { get; }

    /// <summary>$PSCONTAINERS_ROOT and $PSCONTAINERS_RUNROOT, or the defaults.</summary>
    public static EnginePaths FromEnvironment() => new(
        NonEmpty(Environment.GetEnvironmentVariable("PSCONTAINERS_ROOT")) ?? DefaultRoot,
        NonEmpty(Environment.GetEnvironmentVariable("PSCONTAINERS_RUNROOT")) ?? DefaultRunRoot);

    public string ContainersDir => Path.Combine(Root, "containers");

    public string NamesDir => Path.Combine(Root, "names");

    public string LocksDir => Path.Combine(Root, "locks");

    public string GlobalLock => Path.Combine(Root, "engine.lock");

    /// <summary>pscrun's --root: its state means nothing after a reboot, so it lives on the run root.</summary>
    public string RuntimeRoot => Path.Combine(RunRoot, "pscrun");

    /// <summary>Content-addressed blobs: BLOBS/ALG/HEX (the blobs/ directory of an OCI image layout).</summary>
    public string BlobsDir => Path.Combine(Root, "blobs");

    /// <summary>Blobs and snapshots being written; leftovers of killed writers are deleted by the next writer or prune.</summary>
    public string IngestDir => Path.Combine(Root, "ingest");

    /// <summary>Unpacked layers, one directory per chainID: SNAPSHOTS/ALG/HEX/fs, with short links in SNAPSHOTS/l.</summary>
    public string SnapshotsDir => Path.Combine(Root, "snapshots");

    /// <summary>images.json (names and records of the images) and the image locks.</summary>
    public string ImagesDir => Path.Combine(Root, "images");

    /// <summary>Named and anonymous volumes: VOLUMES/NAME/volume.json and VOLUMES/NAME/_data (docker's layout).</summary>
    public string VolumesDir => Path.Combine(Root, "volumes");

    /// <summary>Held while volumes are created, removed or checked for users, and while a new container claims its volumes.</summary>
    public string VolumesLock => Path.Combine(LocksDir, "volumes.lock");

    public string ContainerDir(string id) => Path.Combine(ContainersDir, id);

    public string RecordFile(string id) => Path.Combine(ContainerDir(id), "config.json");

    public string BundleDir(string id) => Path.Combine(ContainerDir(id), "bundle");

    public string UpperDir(string id) => Path.Combine(ContainerDir(id), "upper");

    public string WorkDir(string id) => Path.Combine(ContainerDir(id), "work");

    public string MergedDir(string id) => Path.Combine(ContainerDir(id), "merged");

    public string LockFile(string id) => Path.Combine(LocksDir, id + ".lock");

    /// <summary>The monitor's state directory (status.json, container.log, monitor.pid, ...).</summary>
    public string StateDir(string id) => Path.Combine(RunRoot, "containers", id);

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
