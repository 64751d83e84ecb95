using System.Text;
using System.Text.Json;
using PSContainers.Core.Images;
using PSContainers.Core.State;

namespace PSContainers.Core.Build.Cache;

/// <summary>
/// The build cache: ROOT/buildcache/HEX.json, one file per step, keyed by the sha256 of the parent step's key, the
/// instruction after substitution, the build args it uses and (COPY/ADD) the checksum of the files it copies.
/// </summary>
/// <remarks>
/// Keys name only inputs, never the directory or the tags of a build, so the cache serves every build with the same
/// inputs, from any pwsh session. The layers and blobs an entry lists stay through image prunes until the cache is
/// pruned (<see cref="ImageService"/>'s sweep asks <see cref="References"/>). An entry is written atomically after its
/// layer is committed, so a crash leaves either no entry or a whole one.
/// </remarks>
public sealed class BuildCache
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public BuildCache(EnginePaths paths)
    {
        Dir = Path.Combine(paths.Root, "buildcache");
        MountsDir = Path.Combine(paths.Root, "buildcache-mounts");
    }

    public string Dir { get; }

    /// <summary>RUN --mount=type=cache directories: MOUNTS/HEX(id)/data, with a lock file beside data while a step uses it.</summary>
    public string MountsDir { get; }

    /// <summary>The directory (its data/ and lock beside it) of a cache mount id.</summary>
    public string MountDir(string id) => Path.Combine(MountsDir, Digest.Compute(Encoding.UTF8.GetBytes(id)).Hex[..32]);

    /// <summary>The cache mounts' directories and the bytes of their files (docker system df counts them in Build Cache).</summary>
    public (int Count, long Bytes) MountUsage()
    {
        if (!Directory.Exists(MountsDir))
        {
            return (0, 0);
        }

        var dirs = Directory.GetDirectories(MountsDir);
        long bytes = 0;
        foreach (var file in dirs.SelectMany(d => new DirectoryInfo(d).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true })))
        {
            bytes += file.Length;
        }

        return (dirs.Length, bytes);
    }

    /// <summary>The key of a step: everything that decides its result, and nothing else.</summary>
    public static string Key(string parentKey, string instruction, IEnumerable<KeyValuePair<string, string>> usedArgs, string? filesChecksum)
    {
        var text = new StringBuilder();
        text.Append("parent ").Append(parentKey).Append('\n');
        text.Append("instruction ").Append(instruction.Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        foreach (var (name, value) in usedArgs.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            text.Append("arg ").Append(name).Append('=').Append(value.Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        }

        if (filesChecksum is not null)
        {
            text.Append("files ").Append(filesChecksum).Append('\n');
        }

        return Digest.Compute(Encoding.UTF8.GetBytes(text.ToString())).Hex;
    }

    private string FileOf(string key) => Path.Combine(Dir, key + ".json");

    public BuildCacheEntry? TryGet(string key)
    {
        try
        {
            var entry = JsonSerializer.Deserialize<BuildCacheEntry>(File.ReadAllText(FileOf(key)), Json);
            if (entry is null || entry.Key != key)
            {
                return null;
            }

            return entry;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Marks an entry as used now (prune -Until and LRU later read it); failures do not matter.</summary>
    public void Touch(string key)
    {
        try
        {
            File.SetLastWriteTimeUtc(FileOf(key), DateTime.UtcNow);
        }
        catch (IOException)
        {
        }
    }

    public void Put(BuildCacheEntry entry)
    {
        Directory.CreateDirectory(Dir);
        // Not fsynced: an entry lost in a power cut only means that step runs again; its layer was made durable first.
        AtomicFile.WriteAllText(FileOf(entry.Key), JsonSerializer.Serialize(entry, Json), durable: false);
    }

    public IEnumerable<BuildCacheEntry> List()
    {
        if (!Directory.Exists(Dir))
        {
            yield break;
        }

        foreach (var file in Directory.EnumerateFiles(Dir, "*.json"))
        {
            BuildCacheEntry? entry;
            try
            {
                entry = JsonSerializer.Deserialize<BuildCacheEntry>(File.ReadAllText(file), Json);
            }
            catch (Exception e) when (e is IOException or JsonException)
            {
                continue;
            }

            if (entry is not null)
            {
                yield return entry;
            }
        }
    }

    /// <summary>The blobs and snapshots the cache holds on to.</summary>
    public (HashSet<string> Blobs, HashSet<string> Snapshots) References()
    {
        var blobs = new HashSet<string>(StringComparer.Ordinal);
        var snapshots = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in List())
        {
            foreach (var layer in entry.Layers)
            {
                blobs.Add(layer.Blob);
                snapshots.Add(layer.ChainId);
            }
        }

        return (blobs, snapshots);
    }

    /// <summary>When a step was last used: its file's time, which <see cref="Touch"/> moves on each cache hit.</summary>
    public DateTimeOffset LastUsed(string key) => new(File.GetLastWriteTimeUtc(FileOf(key)), TimeSpan.Zero);

    /// <summary>Deletes one step's entry; false when it was already gone. Its layers go with the next image sweep.</summary>
    public bool Remove(string key)
    {
        var file = FileOf(key);
        if (!File.Exists(file))
        {
            return false;
        }

        File.Delete(file);
        return true;
    }

    /// <summary>
    /// Deletes every entry and every cache mount no step holds now (as docker builder prune does); returns how many.
    /// The layers the entries held go with the next image sweep.
    /// </summary>
    public int Clear()
    {
        var removed = 0;
        if (Directory.Exists(Dir))
        {
            foreach (var file in Directory.EnumerateFiles(Dir))
            {
                File.Delete(file);
                removed++;
            }
        }

        return removed + ClearMounts().Names.Count;
    }

    /// <summary>Deletes the cache mounts no running step holds; returns their directory names and the bytes of their files.</summary>
    public (List<string> Names, long Bytes) ClearMounts()
    {
        var names = new List<string>();
        long bytes = 0;
        if (!Directory.Exists(MountsDir))
        {
            return (names, bytes);
        }

        foreach (var dir in Directory.GetDirectories(MountsDir))
        {
            try
            {
                // A running step holds the lock (sharing=locked holds it for the step; shared and private take it too).
                using (FileLock.Acquire(Path.Combine(dir, "lock"), TimeSpan.Zero, CancellationToken.None))
                {
                    var data = new DirectoryInfo(Path.Combine(dir, "data"));
                    if (data.Exists)
                    {
                        bytes += data.EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true }).Sum(f => f.Length);
                        data.Delete(recursive: true);
                    }
                }

                Directory.Delete(dir, recursive: true);
                names.Add(Path.GetFileName(dir));
            }
            catch (Exception e) when (e is TimeoutException or DirectoryNotFoundException)
            {
            }
        }

        return (names, bytes);
    }
}
