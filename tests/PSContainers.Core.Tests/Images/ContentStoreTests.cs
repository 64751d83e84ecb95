using PSContainers.Core.Containers;
using PSContainers.Core.Images;
using PSContainers.Core.Images.Content;

namespace PSContainers.Core.Tests.Images;

public sealed class ContentStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ContentStore _store;

    public ContentStoreTests() => _store = new ContentStore(Path.Combine(_dir.Path, "blobs"), Path.Combine(_dir.Path, "ingest"));

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task IngestsUnderBlobsAlgHexReadOnlyAndVerified()
    {
        var data = new byte[3 << 20];
        new Random(1).NextBytes(data);
        var expected = Digest.Compute(data);
        var digest = await _store.IngestAsync(expected, new MemoryStream(data), expectedSize: data.Length);
        Assert.Equal(expected, digest);
        var path = Path.Combine(_dir.Path, "blobs", "sha256", expected.Hex);
        Assert.Equal(data, File.ReadAllBytes(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(path));
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir.Path, "ingest")));
    }

    [Fact]
    public async Task AMismatchKeepsNothing()
    {
        var wrong = Digest.Compute("something else"u8);
        var e = await Assert.ThrowsAsync<ContainerEngineException>(() => _store.IngestAsync(wrong, new MemoryStream("payload"u8.ToArray())));
        Assert.Equal("DigestMismatch", e.ErrorId);
        Assert.Empty(_store.List());
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir.Path, "ingest")));
        var size = Assert.Throws<ContainerEngineException>(() => Ingest(_store, "abc"u8.ToArray(), 5));
        Assert.Equal("ContentSizeMismatch", size.ErrorId);
        Assert.Empty(_store.List());
    }

    private static string Ingest(ContentStore store, byte[] data, long size)
    {
        using var writer = store.OpenWriter(null, size);
        writer.Write(data);
        return writer.Commit().ToString();
    }

    [Fact]
    public void Sha512ContentIsStoredUnderItsAlgorithm()
    {
        var expected = Digest.Compute("x"u8, Digest.Sha512);
        Assert.Equal(expected, _store.Ingest("x"u8, expected));
        Assert.True(File.Exists(Path.Combine(_dir.Path, "blobs", "sha512", expected.Hex)));
    }

    [Fact]
    public void AResumedWriterCarriesItsHashAcrossWrites()
    {
        var data = new byte[100_000];
        new Random(2).NextBytes(data);
        using var writer = _store.OpenWriter(Digest.Compute(data), data.Length);
        writer.Write(data.AsSpan(0, 40_000));
        // A broken download resumes at Length (an HTTP Range request).
        Assert.Equal(40_000, writer.Length);
        writer.Write(data.AsSpan((int)writer.Length));
        Assert.Equal(Digest.Compute(data), writer.Commit());
    }

    [Fact]
    public void LeftoversOfKilledWritersAreCleanedButLiveWritersAreNot()
    {
        using var live = _store.OpenWriter();
        live.Write("in progress"u8);
        // What a writer killed with -9 leaves: a temporary file whose flock died with the process.
        var dead = Path.Combine(_dir.Path, "ingest", "99999-dead.tmp");
        File.WriteAllText(dead, "partial");
        Assert.Equal(1, _store.CleanStale());
        Assert.False(File.Exists(dead));
        Assert.Single(Directory.GetFiles(Path.Combine(_dir.Path, "ingest")));
        live.Write(" and done"u8);
        Assert.Equal(Digest.Compute("in progress and done"u8), live.Commit());
    }

    [Fact]
    public async Task ConcurrentWritersOfTheSameContentStoreOneBlob()
    {
        var data = new byte[1 << 20];
        new Random(3).NextBytes(data);
        var digest = Digest.Compute(data);
        var tasks = Enumerable.Range(0, 8).Select(_ => Task.Run(() => _store.IngestAsync(digest, new MemoryStream(data)))).ToArray();
        await Task.WhenAll(tasks);
        Assert.Single(_store.List());
        Assert.Equal(data, _store.ReadAllBytes(digest));
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir.Path, "ingest")));
    }
}
