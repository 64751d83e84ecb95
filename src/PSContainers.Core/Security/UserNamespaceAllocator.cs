using System.Globalization;
using PSContainers.Core.Containers;
using PSContainers.Core.State;

namespace PSContainers.Core.Security;

/// <summary>
/// Hands out host id ranges for -UserNS auto containers from the engine's pool, so that no two containers share ids;
/// the record (one "CONTAINER HOST SIZE UNIXTIME" line per container) lives under the state root and changes under a
/// lock. A range whose container has no record an hour after it was handed out was left by an engine that died
/// between the two (a killed pwsh): the next allocation takes it back.
/// </summary>
public sealed class UserNamespaceAllocator
{
    /// <summary>Where the pool starts by default: far above the ids distributions give users (and /etc/subuid's 100000+ ranges).</summary>
    public const uint DefaultPoolStart = 2_000_000_000;

    /// <summary>16384 ranges of 65536 ids; the pool ends at 3073741824, below the last id 4294967294.</summary>
    public const uint DefaultPoolSize = 1_073_741_824;

    public const uint MaxSize = DefaultPoolSize;

    /// <summary>START:SIZE overrides the pool (e.g. to match an /etc/subuid range given to the engine).</summary>
    public const string PoolVariable = "PSCONTAINERS_USERNS_POOL";

    /// <summary>How long a range may wait for its container's record before it counts as left behind.</summary>
    public static readonly TimeSpan OrphanAge = TimeSpan.FromHours(1);

    private readonly string _file;
    private readonly string _lock;
    private readonly Func<string, bool>? _containerExists;

    /// <param name="containerExists">Whether a container id has a record; null keeps every range until it is released.</param>
    public UserNamespaceAllocator(string stateRoot, uint poolStart = DefaultPoolStart, uint poolSize = DefaultPoolSize, Func<string, bool>? containerExists = null)
    {
        _file = Path.Combine(stateRoot, "userns", "ranges");
        _lock = Path.Combine(stateRoot, "locks", "userns.lock");
        PoolStart = poolStart;
        PoolSize = poolSize;
        _containerExists = containerExists;
    }

    public uint PoolStart { get; }

    public uint PoolSize { get; }

    /// <summary>The allocator of an engine, with the pool from $PSCONTAINERS_USERNS_POOL or the default one.</summary>
    public static UserNamespaceAllocator ForEngine(EnginePaths paths)
    {
        var text = Environment.GetEnvironmentVariable(PoolVariable);
        Func<string, bool> exists = id => File.Exists(paths.RecordFile(id));
        if (string.IsNullOrWhiteSpace(text))
        {
            return new UserNamespaceAllocator(paths.Root, containerExists: exists);
        }

        var parts = text.Split(':');
        if (parts.Length != 2 || !uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            || !uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size == 0
            || (ulong)start + size > uint.MaxValue || start == 0)
        {
            throw ContainerEngineException.Invalid($"${PoolVariable} \"{text}\" is not START:SIZE with a first host id above 0 and the range inside 4294967294.", text);
        }

        return new UserNamespaceAllocator(paths.Root, start, size, exists);
    }

    /// <summary>The first free range of size ids in the pool for the container; an id that holds one gets it again.</summary>
    public uint Allocate(string containerId, uint size, CancellationToken cancellationToken = default)
    {
        using (FileLock.Acquire(_lock, cancellationToken: cancellationToken))
        {
            var ranges = Read();
            if (ranges.TryGetValue(containerId, out var held) && held.Size == size)
            {
                return held.Host;
            }

            ranges.Remove(containerId);
            DropOrphans(ranges, containerId);
            var start = (ulong)PoolStart;
            var end = (ulong)PoolStart + PoolSize;
            foreach (var (host, length, _) in ranges.Values.OrderBy(r => r.Host))
            {
                if (start + size <= host)
                {
                    break;
                }

                start = Math.Max(start, (ulong)host + length);
            }

            if (start + size > end)
            {
                throw new ContainerEngineException("UserNamespacePoolExhausted",
                    $"No {size} free host ids are left in the user namespace pool {PoolStart}-{end - 1} ({ranges.Count} containers hold ranges): remove containers or set ${PoolVariable}.",
                    ContainerErrorKind.OperationFailed, containerId);
            }

            ranges[containerId] = ((uint)start, size, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            Write(ranges);
            return (uint)start;
        }
    }

    /// <summary>Records ranges a container was given with -UidMap, so that auto never hands them out.</summary>
    public void Reserve(string containerId, uint host, uint size, CancellationToken cancellationToken = default)
    {
        using (FileLock.Acquire(_lock, cancellationToken: cancellationToken))
        {
            var ranges = Read();
            ranges[containerId] = (host, size, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            Write(ranges);
        }
    }

    /// <summary>Frees the container's range; nothing happens when it holds none.</summary>
    public void Release(string containerId)
    {
        using (FileLock.Acquire(_lock))
        {
            var ranges = Read();
            if (ranges.Remove(containerId))
            {
                Write(ranges);
            }
        }
    }

    /// <summary>The ranges held now, by container id.</summary>
    public IReadOnlyDictionary<string, (uint Host, uint Size)> Held()
    {
        using (FileLock.Acquire(_lock, exclusive: false))
        {
            return Read().ToDictionary(r => r.Key, r => (r.Value.Host, r.Value.Size), StringComparer.Ordinal);
        }
    }

    // Ranges of containers that never got a record (older than OrphanAge, so no create in progress still holds one).
    private void DropOrphans(Dictionary<string, (uint Host, uint Size, long Since)> ranges, string asking)
    {
        if (_containerExists is null)
        {
            return;
        }

        var before = DateTimeOffset.UtcNow.Add(-OrphanAge).ToUnixTimeSeconds();
        foreach (var (id, range) in ranges.ToList())
        {
            if (id != asking && range.Since < before && !_containerExists(id))
            {
                ranges.Remove(id);
            }
        }
    }

    private Dictionary<string, (uint Host, uint Size, long Since)> Read()
    {
        var ranges = new Dictionary<string, (uint, uint, long)>(StringComparer.Ordinal);
        if (!File.Exists(_file))
        {
            return ranges;
        }

        foreach (var line in File.ReadAllLines(_file))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length is 3 or 4 && uint.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out var host)
                && uint.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            {
                // A line without a time (an older engine's) counts as old.
                var since = f.Length == 4 && long.TryParse(f[3], NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : 0;
                ranges[f[0]] = (host, size, since);
            }
        }

        return ranges;
    }

    private void Write(Dictionary<string, (uint Host, uint Size, long Since)> ranges)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
        AtomicFile.WriteAllText(_file, string.Concat(ranges.OrderBy(r => r.Value.Host)
            .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Key} {r.Value.Host} {r.Value.Size} {r.Value.Since}\n"))));
    }
}
