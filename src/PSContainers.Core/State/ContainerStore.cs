using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using PSContainers.Core.Containers;

namespace PSContainers.Core.State;

/// <summary>The container records on disk: ids, unique names, prefix lookup; safe across threads and pwsh processes.</summary>
/// <remarks>
/// A name is owned through NAMES/name (a file holding the id), written under the engine lock before the record;
/// a name file whose record is missing is left over from a crash and counts as free.
/// </remarks>
public sealed partial class ContainerStore
{
    public const int MinimumPrefix = 4;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public ContainerStore(EnginePaths paths) => Paths = paths;

    public EnginePaths Paths { get; }

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex IdPattern();

    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static void ValidateName(string name)
    {
        if (!NamePattern().IsMatch(name))
        {
            throw ContainerEngineException.Invalid(
                $"Invalid container name \"{name}\": use letters, digits, '_', '.' and '-', starting with a letter or digit (at most 128 characters).", name);
        }
    }

    /// <summary>Locks the whole store: name reservations and renames.</summary>
    public FileLock LockStore(CancellationToken cancellationToken = default) => FileLock.Acquire(Paths.GlobalLock, cancellationToken: cancellationToken);

    /// <summary>Locks one container's state changes (start, stop, remove).</summary>
    public FileLock LockContainer(string id, CancellationToken cancellationToken = default) =>
        FileLock.Acquire(Paths.LockFile(id), TimeSpan.FromMinutes(2), cancellationToken);

    /// <summary>The container's lock if nobody holds it right now, else null.</summary>
    public FileLock? TryLockContainer(string id)
    {
        try
        {
            return FileLock.Acquire(Paths.LockFile(id), TimeSpan.Zero);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>Claims a name (a generated one when null) and writes the record; ContainerNameInUse when taken.</summary>
    public StoredContainer Add(StoredContainer record, CancellationToken cancellationToken = default)
    {
        using var _ = LockStore(cancellationToken);
        Directory.CreateDirectory(Paths.NamesDir);
        if (string.IsNullOrEmpty(record.Name))
        {
            for (var attempt = 0; ; attempt++)
            {
                var candidate = NameGenerator.Next(attempt);
                if (OwnerOfName(candidate) is null)
                {
                    record.Name = candidate;
                    break;
                }
            }
        }
        else
        {
            ValidateName(record.Name);
            if (OwnerOfName(record.Name) is { } owner)
            {
                throw new ContainerEngineException("ContainerNameInUse",
                    $"The name \"{record.Name}\" is already used by container {owner[..12]}. Remove that container or choose another name.",
                    ContainerErrorKind.ResourceBusy, record.Name);
            }
        }

        AtomicFile.WriteAllText(NameFile(record.Name), record.Id, Durable(record));
        Directory.CreateDirectory(Paths.ContainerDir(record.Id));
        Save(record);
        return record;
    }

    public void Save(StoredContainer record) => AtomicFile.WriteAllText(Paths.RecordFile(record.Id), JsonSerializer.Serialize(record, Json), Durable(record));

    /// <summary>
    /// A -Remove container deletes itself when it exits and is garbage after a power cut anyway: its files skip the
    /// fsync (a journal commit each; docker run --rm and podman's --rm use volatile storage the same way). Every
    /// other record is synced before it becomes visible.
    /// </summary>
    public static bool Durable(StoredContainer record) => record.Config?.AutoRemove != true;

    public StoredContainer? TryLoad(string id)
    {
        try
        {
            return JsonSerializer.Deserialize<StoredContainer>(File.ReadAllText(Paths.RecordFile(id)), Json);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public StoredContainer Load(string id) => TryLoad(id) ?? throw ContainerEngineException.NotFound(id);

    public IReadOnlyList<string> Ids()
    {
        if (!Directory.Exists(Paths.ContainersDir))
        {
            return [];
        }

        return Directory.EnumerateDirectories(Paths.ContainersDir)
            .Select(Path.GetFileName)
            .Where(n => n is not null && IdPattern().IsMatch(n) && File.Exists(Paths.RecordFile(n)))
            .Select(n => n!)
            .ToList();
    }

    /// <summary>Full id, then name, then a unique id prefix of at least four characters.</summary>
    public string Resolve(string reference)
    {
        if (string.IsNullOrWhiteSpace(reference))
        {
            throw ContainerEngineException.Invalid("A container reference (id or name) must not be empty.");
        }

        if (IdPattern().IsMatch(reference) && File.Exists(Paths.RecordFile(reference)))
        {
            return reference;
        }

        if (NamePattern().IsMatch(reference) && OwnerOfName(reference) is { } byName)
        {
            return byName;
        }

        if (reference.Length >= MinimumPrefix && reference.All(Uri.IsHexDigit))
        {
            var prefix = reference.ToLowerInvariant();
            var matches = Ids().Where(id => id.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            if (matches.Count == 1)
            {
                return matches[0];
            }

            if (matches.Count > 1)
            {
                throw new ContainerEngineException("AmbiguousContainerReference",
                    $"\"{reference}\" matches {matches.Count} containers; give more characters of the id.", ContainerErrorKind.InvalidArgument, reference);
            }
        }

        throw ContainerEngineException.NotFound(reference);
    }

    public void Rename(string id, string newName)
    {
        ValidateName(newName);
        using var _ = LockStore();
        var record = Load(id);
        if (record.Name == newName)
        {
            return;
        }

        if (OwnerOfName(newName) is { } owner)
        {
            throw new ContainerEngineException("ContainerNameInUse",
                $"The name \"{newName}\" is already used by container {owner[..12]}.", ContainerErrorKind.ResourceBusy, newName);
        }

        var old = record.Name;
        AtomicFile.WriteAllText(NameFile(newName), id);
        record.Name = newName;
        Save(record);
        DeleteNameIfOwned(old, id);
    }

    /// <summary>Forgets a container: its name, record directory and lock file. The caller has unmounted everything.</summary>
    public void Delete(string id)
    {
        using (LockStore())
        {
            if (TryLoad(id) is { } record)
            {
                DeleteNameIfOwned(record.Name, id);
            }

            // The record goes first so a half-deleted container is never listed with missing parts.
            var dir = Paths.ContainerDir(id);
            if (File.Exists(Paths.RecordFile(id)))
            {
                File.Delete(Paths.RecordFile(id));
            }

            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        if (Directory.Exists(Paths.LocksDir))
        {
            File.Delete(Paths.LockFile(id));
        }
    }

    /// <summary>The id owning a name, or null when the name is free (no file, or a file whose record is gone).</summary>
    public string? OwnerOfName(string name)
    {
        string id;
        try
        {
            id = File.ReadAllText(NameFile(name)).Trim();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        var record = IdPattern().IsMatch(id) ? TryLoad(id) : null;
        return record is not null && record.Name == name ? id : null;
    }

    private void DeleteNameIfOwned(string name, string id)
    {
        var file = NameFile(name);
        try
        {
            if (File.ReadAllText(file).Trim() == id)
            {
                File.Delete(file);
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // Already gone.
        }
    }

    private string NameFile(string name) => Path.Combine(Paths.NamesDir, name);
}
