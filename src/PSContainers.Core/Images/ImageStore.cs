using System.Text.Json;
using PSContainers.Core.State;

namespace PSContainers.Core.Images;

/// <summary>images.json: the image records and their names, read and rewritten whole under a flock so several pwsh processes can tag and remove at once.</summary>
public sealed class ImageStore
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public ImageStore(string imagesDir) => Dir = imagesDir;

    public string Dir { get; }

    public string File => Path.Combine(Dir, "images.json");

    public string LockPath => Path.Combine(Dir, "images.lock");

    /// <summary>Held (shared) by every pull, import and container create while it adds references; prune holds it exclusively.</summary>
    public string GcLockPath => Path.Combine(Dir, "gc.lock");

    public IReadOnlyList<ImageRecord> Load()
    {
        List<ImageRecord> records;
        try
        {
            records = JsonSerializer.Deserialize<List<ImageRecord>>(System.IO.File.ReadAllText(File), Json) ?? [];
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return [];
        }

        return MergeById(records);
    }

    /// <summary>
    /// One record per image id: stores written while records were keyed by manifest digest may hold the same image
    /// twice (pulled from two registries, exported and imported again); the oldest record takes the others in.
    /// </summary>
    private static List<ImageRecord> MergeById(List<ImageRecord> records)
    {
        if (records.Select(r => r.Config).Distinct(StringComparer.Ordinal).Count() == records.Count)
        {
            return records;
        }

        var merged = new List<ImageRecord>();
        foreach (var group in records.GroupBy(r => r.Config, StringComparer.Ordinal))
        {
            var ordered = group.OrderBy(r => r.Added).ToList();
            foreach (var other in ordered.Skip(1))
            {
                ordered[0].Absorb(other);
            }

            merged.Add(ordered[0]);
        }

        return merged;
    }

    /// <summary>Runs change on the records under the lock and writes the result atomically; returns change's value.</summary>
    public T Update<T>(Func<List<ImageRecord>, T> change, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Dir);
        using var _ = FileLock.Acquire(LockPath, TimeSpan.FromMinutes(2), cancellationToken);
        var records = Load().ToList();
        var result = change(records);
        AtomicFile.WriteAllText(File, JsonSerializer.Serialize(records, Json));
        return result;
    }
}
