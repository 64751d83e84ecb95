using PSContainers.Core.Containers;
using PSContainers.Native;

namespace PSContainers.Core.Images.Content;

/// <summary>The blobs under ROOT/blobs/ALG/HEX, written through ROOT/ingest/ so readers only ever see verified, whole content.</summary>
public sealed class ContentStore : IContentStore
{
    public ContentStore(string blobsDir, string ingestDir)
    {
        BlobsDir = blobsDir;
        IngestDir = ingestDir;
    }

    public string BlobsDir { get; }

    public string IngestDir { get; }

    public string BlobPath(Digest digest) => Path.Combine(BlobsDir, digest.Algorithm, digest.Hex);

    public bool Exists(Digest digest) => File.Exists(BlobPath(digest));

    public long? GetSize(Digest digest)
    {
        var info = new FileInfo(BlobPath(digest));
        return info.Exists ? info.Length : null;
    }

    public Stream OpenRead(Digest digest)
    {
        var path = BlobPath(digest);
        // open(2) itself: a FileStream by path takes a shared flock, and a writer that has just published this blob
        // holds its exclusive one until its rename is done. Blobs never change: readers need no lock.
        var fd = Libc.Open(path, Consts.O_RDONLY | Consts.O_CLOEXEC, 0);
        if (fd < 0)
        {
            var errno = Libc.LastErrno;
            throw errno is Errno.ENOENT or Errno.ENOTDIR ? NotFound(digest) : new SyscallException("open", path, errno);
        }

        return new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true), FileAccess.Read, bufferSize: 0);
    }

    public byte[] ReadAllBytes(Digest digest)
    {
        using var stream = OpenRead(digest);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    public ContentWriter OpenWriter(Digest? expected = null, long? expectedSize = null)
    {
        Directory.CreateDirectory(IngestDir);
        CleanStale();
        for (var attempt = 0; ; attempt++)
        {
            var temp = Path.Combine(IngestDir, $"{Environment.ProcessId}-{Guid.NewGuid():N}.tmp");
            try
            {
                return new ContentWriter(this, temp, expected, expectedSize);
            }
            catch (IOException) when (attempt < 3)
            {
                // Lost a race with a concurrent clean-up: try a fresh name.
            }
        }
    }

    public async Task<Digest> IngestAsync(Digest? expected, Stream source, CancellationToken cancellationToken = default, long? expectedSize = null, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var writer = OpenWriter(expected, expectedSize);
        var buffer = new byte[1 << 20];
        int n;
        while ((n = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            writer.Write(buffer.AsSpan(0, n));
            progress?.Report(writer.Length);
        }

        return writer.Commit();
    }

    public Digest Ingest(ReadOnlySpan<byte> data, Digest? expected = null)
    {
        using var writer = OpenWriter(expected, expected is null ? null : data.Length);
        writer.Write(data);
        return writer.Commit();
    }

    public bool Delete(Digest digest)
    {
        var path = BlobPath(digest);
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        return true;
    }

    public IEnumerable<Digest> List()
    {
        foreach (var algorithm in new[] { Digest.Sha256, Digest.Sha512 })
        {
            var dir = Path.Combine(BlobsDir, algorithm);
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(dir))
            {
                if (Digest.TryParse($"{algorithm}:{Path.GetFileName(file)}", out var digest))
                {
                    yield return digest;
                }
            }
        }
    }

    /// <summary>Deletes temporary files whose writer is gone (killed mid-write): their flock is free.</summary>
    public int CleanStale()
    {
        if (!Directory.Exists(IngestDir))
        {
            return 0;
        }

        var removed = 0;
        foreach (var file in Directory.EnumerateFiles(IngestDir))
        {
            if (StaleLock.TryClaim(file, directory: false))
            {
                removed++;
            }
        }

        return removed;
    }

    internal void Publish(string tempPath, Digest digest)
    {
        var final = BlobPath(digest);
        var dir = Path.GetDirectoryName(final)!;
        Directory.CreateDirectory(dir);
        if (File.Exists(final))
        {
            // Another writer stored the same bytes first: content addressing makes ours redundant.
            return;
        }

        // Blobs are immutable: read-only, like containerd's.
        File.SetUnixFileMode(tempPath, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.Move(tempPath, final, overwrite: true);
        FsyncDirectory(dir);
    }

    internal static void FsyncDirectory(string dir)
    {
        var fd = Libc.Open(dir, Consts.O_RDONLY | Consts.O_DIRECTORY | Consts.O_CLOEXEC, 0);
        if (fd >= 0)
        {
            LibcAt.Fsync(fd);
            Libc.Close(fd);
        }
    }

    private static ContainerEngineException NotFound(Digest digest) =>
        new("ContentNotFound", $"The blob {digest} is not in the content store.", ContainerErrorKind.NotFound, digest.ToString());
}
