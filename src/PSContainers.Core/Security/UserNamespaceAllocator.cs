using System.Globalization;
using PSContainers.Core.Containers;
using PSContainers.Core.State;

namespace PSContainers.Core.Security;

/// <summary>
/// Hands out host id ranges for -UserNS auto containers from the engine's pool, so that no two containers share ids;
/// the record (one "CONTAINER HOST SIZE" line per container) lives under the state root and changes under a lock.
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

    private readonly string _file;
    private readonly string _lock;

    public UserNamespaceAllocator(string stateRoot, uint poolStart = DefaultPoolStart, uint poolSize = DefaultPoolSize)
    {
        _file = Path.Combine(stateRoot, "userns", "ranges");
        _lock = Path.Combine(stateRoot, "locks", "userns.lock");
        PoolStart = poolStart;
        PoolSize = poolSize;
    }

    public uint PoolStart { get; }

    public uint PoolSize { get; }

    /// <summary>The allocator of an engine, with the pool from $PSCONTAINERS_USERNS_POOL or the default one.</summary>
    public static UserNamespaceAllocator ForEngine(EnginePaths paths)
    {
        var text = Environment.GetEnvironmentVariable(PoolVariable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return new UserNamespaceAllocator(paths.Root);
        }

        var parts = text.Split(':');
        if (parts.Length != 2 || !uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            || !uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size == 0
            || (ulong)start + size > uint.MaxValue || start == 0)
        {
            throw ContainerEngineException.Invalid($"${PoolVariable} \"{text}\" is not START:SIZE with a first host id above 0 and the range inside 4294967294.", text);
        }

        return new UserNamespaceAllocator(paths.Root, start, size);
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
            var start = (ulong)PoolStart;
            var end = (ulong)PoolStart + PoolSize;
            foreach (var (host, length) in ranges.Values.OrderBy(r => r.Host))
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

            ranges[containerId] = ((uint)start, size);
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
            ranges[containerId] = (host, size);
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
            return Read();
        }
    }

    private Dictionary<string, (uint Host, uint Size)> Read()
    {
        var ranges = new Dictionary<string, (uint, uint)>(StringComparer.Ordinal);
        if (!File.Exists(_file))
        {
            return ranges;
        }

        foreach (var line in File.ReadAllLines(_file))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 3 && uint.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out var host)
                && uint.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            {
                ranges[f[0]] = (host, size);
            }
        }

        return ranges;
    }

    private void Write(Dictionary<string, (uint Host, uint Size)> ranges)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
        AtomicFile.WriteAllText(_file, string.Concat(ranges.OrderBy(r => r.Value.Host)
            .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Key} {r.Value.Host} {r.Value.Size}\n"))));
    }
}
