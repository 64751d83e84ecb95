using System.Text;
using System.Text.Json;
using PSContainers.Core.Images.Content;
using PSContainers.Native;

namespace PSContainers.Core.Images.Snapshots;

/// <summary>Unpacked layers: SNAPSHOTS/ALG/HEX/{fs,meta.json} keyed by chainID, plus SNAPSHOTS/l/SHORT links that keep overlay mount options short.</summary>
/// <remarks>
/// Each snapshot holds only its own layer's files (whiteouts in overlay form), so the same directory serves as a
/// lowerdir for every image that shares the layer. A snapshot is unpacked into SNAPSHOTS/tmp/ under a flock and
/// renamed into place only once both digests checked out; a killed unpack leaves a temporary directory that the next
/// unpack or prune deletes.
/// </remarks>
public sealed class SnapshotStore
{
    public const int ShortLength = 24;
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public SnapshotStore(string dir) => Dir = dir;

    public string Dir { get; }

    public string TempDir => Path.Combine(Dir, "tmp");

    public string LinksDir => Path.Combine(Dir, "l");

    /// <summary>chainID(L0) = diffID(L0); chainID(Ln) = sha256("chainID(Ln-1) diffID(Ln)"), as the OCI image spec defines it.</summary>
    public static Digest ChainId(Digest? parent, Digest diffId) =>
        parent is null ? diffId : Digest.Compute(Encoding.ASCII.GetBytes($"{parent} {diffId}"));

    /// <summary>The chainIDs of a stack of diffIDs, bottom first.</summary>
    public static List<Digest> ChainIds(IEnumerable<Digest> diffIds)
    {
        var chain = new List<Digest>();
        Digest? parent = null;
        foreach (var diffId in diffIds)
        {
            parent = ChainId(parent, diffId);
            chain.Add(parent);
        }

        return chain;
    }

    public string SnapshotDir(Digest chainId) => Path.Combine(Dir, chainId.Algorithm, chainId.Hex);

    /// <summary>The layer's files: what overlay gets as a lowerdir.</summary>
    public string FsDir(Digest chainId) => Path.Combine(SnapshotDir(chainId), "fs");

    public string ShortLink(Digest chainId) => Path.Combine(LinksDir, chainId.Hex[..ShortLength]);

    public bool Exists(Digest chainId) => File.Exists(Path.Combine(SnapshotDir(chainId), "meta.json"));

    public SnapshotInfo? Info(Digest chainId)
    {
        try
        {
            return JsonSerializer.Deserialize<SnapshotInfo>(File.ReadAllText(Path.Combine(SnapshotDir(chainId), "meta.json")), Json);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }

    /// <summary>The short path overlay mounts use for this layer (SNAPSHOTS/l/SHORT → ../ALG/HEX/fs), made if missing.</summary>
    public string LowerDir(Digest chainId)
    {
        var link = ShortLink(chainId);
        var target = Path.Combine("..", chainId.Algorithm, chainId.Hex, "fs");
        if (new FileInfo(link).LinkTarget != target)
        {
            Directory.CreateDirectory(LinksDir);
            var temp = $"{link}.{Environment.ProcessId}-{Guid.NewGuid():N}";
            File.CreateSymbolicLink(temp, target);
            // rename(2) itself: File.Move would follow the link and refuse a directory.
            Libc.Check(LibcAt.RenameAt(Consts.AT_FDCWD, temp, Consts.AT_FDCWD, link), "rename", link);
        }

        return link;
    }

    public IEnumerable<Digest> List()
    {
        foreach (var algorithm in new[] { Digest.Sha256, Digest.Sha512 })
        {
            var dir = Path.Combine(Dir, algorithm);
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (var sub in Directory.EnumerateDirectories(dir))
            {
                if (Digest.TryParse($"{algorithm}:{Path.GetFileName(sub)}", out var digest))
                {
                    yield return digest;
                }
            }
        }
    }

    /// <summary>A fresh temporary snapshot directory (with an empty fs/) and the fd whose flock marks it as in use.</summary>
    internal (string Path, int LockFd) BeginTemp()
    {
        Directory.CreateDirectory(TempDir);
        CleanStale();
        for (var attempt = 0; ; attempt++)
        {
            var path = Path.Combine(TempDir, $"{Environment.ProcessId}-{Guid.NewGuid():N}");
            Directory.CreateDirectory(path);
            try
            {
                var fd = StaleLock.Hold(path, directory: true);
                // mkdir, not CreateDirectory: it must not bring back a directory a cleaner just deleted.
                if (Libc.Mkdir(Path.Combine(path, "fs"), 0x1ED) != 0)
                {
                    var errno = Libc.LastErrno;
                    Libc.Close(fd);
                    throw new SyscallException("mkdir", Path.Combine(path, "fs"), errno);
                }

                return (path, fd);
            }
            catch (Exception e) when ((e is SyscallException or IOException) && attempt < 3)
            {
                // A concurrent clean-up took it for a dead unpacker's: try a fresh name.
            }
        }
    }

    /// <summary>Deletes what is left of a temporary snapshot (nothing after a commit), then releases its lock.</summary>
    internal void EndTemp(string tempPath, int lockFd)
    {
        try
        {
            // Deleted while the lock is still held: once it is released, a concurrent CleanStale may claim the
            // directory and delete it at the same time, and each then fails on the other's half-deleted tree.
            if (Directory.Exists(tempPath))
            {
                Directory.Delete(tempPath, recursive: true);
            }
        }
        finally
        {
            Libc.Close(lockFd);
        }
    }

    /// <summary>Renames a finished temporary snapshot into place; false when another unpack committed the same layer first.</summary>
    internal bool Commit(string tempPath, Digest chainId, SnapshotInfo info)
    {
        File.WriteAllText(Path.Combine(tempPath, "meta.json"), JsonSerializer.Serialize(info, Json));
        var final = SnapshotDir(chainId);
        Directory.CreateDirectory(Path.GetDirectoryName(final)!);
        for (var attempt = 0; ; attempt++)
        {
            if (Exists(chainId))
            {
                return false;
            }

            // rename(2) itself: it refuses a non-empty target, so two pulls committing the same layer at once cannot
            // replace (or delete) each other's snapshot; the loser sees meta.json and keeps its copy out.
            if (LibcAt.RenameAt(Consts.AT_FDCWD, tempPath, Consts.AT_FDCWD, final) == 0)
            {
                break;
            }

            var errno = Libc.LastErrno;
            if (errno is not (Errno.ENOTEMPTY or Errno.EEXIST) || attempt > 0)
            {
                throw new SyscallException("rename", final, errno);
            }

            if (!Exists(chainId))
            {
                // A directory without meta.json is a half-deleted snapshot (Remove deletes meta.json first): nothing uses it.
                Directory.Delete(final, recursive: true);
            }
        }

        ContentStore.FsyncDirectory(Path.GetDirectoryName(final)!);
        LowerDir(chainId);
        return true;
    }

    /// <summary>Deletes a snapshot and its short link; meta.json goes first so a crash midway leaves no half snapshot that looks whole.</summary>
    public bool Remove(Digest chainId)
    {
        var dir = SnapshotDir(chainId);
        if (!Directory.Exists(dir))
        {
            return false;
        }

        File.Delete(Path.Combine(dir, "meta.json"));
        var link = ShortLink(chainId);
        if (new FileInfo(link).LinkTarget is not null)
        {
            File.Delete(link);
        }

        Directory.Delete(dir, recursive: true);
        return true;
    }

    /// <summary>Deletes temporary snapshots of killed unpackers and links that lead nowhere.</summary>
    public int CleanStale()
    {
        var removed = 0;
        if (Directory.Exists(TempDir))
        {
            foreach (var dir in Directory.EnumerateDirectories(TempDir))
            {
                if (StaleLock.TryClaim(dir, directory: true))
                {
                    removed++;
                }
            }
        }

        return removed;
    }

    /// <summary>Deletes short links whose snapshot is gone.</summary>
    public int CleanLinks()
    {
        var removed = 0;
        if (!Directory.Exists(LinksDir))
        {
            return 0;
        }

        foreach (var link in Directory.EnumerateFileSystemEntries(LinksDir))
        {
            if (!Directory.Exists(link))
            {
                File.Delete(link);
                removed++;
            }
        }

        return removed;
    }
}
