using System.Security.Cryptography;
using System.Text.Json;
using PSContainers.Core.Containers;
using PSContainers.Core.State;

namespace PSContainers.Core.Volumes;

/// <summary>The volumes on disk: one directory each with its record and its data; safe across threads and pwsh processes.</summary>
/// <remarks>
/// Every change (create, remove) and every "is it used?" decision happens under VolumesLock; a container create holds
/// the same lock from claiming its volumes until its record is written, so a removal never deletes a volume that a
/// container being created is about to use. The record is written after the data directory and deleted before it: a
/// directory without volume.json is a crash's leftover and is not listed.
/// </remarks>
public sealed class VolumeStore
{
    public const string RecordFileName = "volume.json";
    public const string DataDirName = "_data";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public VolumeStore(EnginePaths paths) => Paths = paths;

    public EnginePaths Paths { get; }

    public static string NewAnonymousName() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public FileLock Lock(CancellationToken cancellationToken = default) => FileLock.Acquire(Paths.VolumesLock, TimeSpan.FromMinutes(2), cancellationToken);

    public string VolumeDir(string name) => Path.Combine(Paths.VolumesDir, name);

    public string DataDir(string name) => Path.Combine(VolumeDir(name), DataDirName);

    private string RecordFile(string name) => Path.Combine(VolumeDir(name), RecordFileName);

    public VolumeRecord? TryLoad(string name)
    {
        if (!MountSpecParser.IsValidVolumeName(name))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<VolumeRecord>(File.ReadAllText(RecordFile(name)), Json);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public IReadOnlyList<VolumeRecord> List()
    {
        if (!Directory.Exists(Paths.VolumesDir))
        {
            return [];
        }

        return Directory.EnumerateDirectories(Paths.VolumesDir)
            .Select(d => TryLoad(Path.GetFileName(d)))
            .OfType<VolumeRecord>()
            .OrderBy(v => v.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Writes a new volume (the caller holds the lock and checked the name is free): data directory first, record last.</summary>
    public void Add(VolumeRecord record)
    {
        Directory.CreateDirectory(Paths.VolumesDir);
        var dir = VolumeDir(record.Name);
        try
        {
            // docker's _data is 0755 root: a container's non-root user gets write access only if the image's copy or the user grants it.
            Directory.CreateDirectory(DataDir(record.Name), (UnixFileMode)0x1ED);
            AtomicFile.WriteAllText(RecordFile(record.Name), JsonSerializer.Serialize(record, Json));
        }
        catch
        {
            DeleteTree(dir);
            throw;
        }
    }

    /// <summary>Forgets a volume and deletes its data; the caller holds the lock and has unmounted it.</summary>
    public void Delete(string name)
    {
        var record = RecordFile(name);
        if (File.Exists(record))
        {
            File.Delete(record);
        }

        DeleteTree(VolumeDir(name));
    }

    /// <summary>Deletes a directory tree without following symlinks out of it and without crossing into mounts left in it.</summary>
    private static void DeleteTree(string dir)
    {
        if (!Directory.Exists(dir))
        {
            return;
        }

        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ContainerEngineException("VolumeRemoveFailed", $"Cannot delete {dir}: {e.Message}", ContainerErrorKind.OperationFailed, dir, e);
        }
    }
}
