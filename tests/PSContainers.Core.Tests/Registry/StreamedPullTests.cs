using System.Collections.Concurrent;
using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using PSContainers.Core.Containers;
using PSContainers.Core.Images;
using PSContainers.Core.Registry;
using PSContainers.Core.State;
using CoreDigest = PSContainers.Core.Images.Digest;

namespace PSContainers.Core.Tests.Registry;

/// <summary>
/// A pull unpacks each layer while its bytes arrive: what it keeps when a blob is corrupt mid-stream or a diffID is
/// wrong (nothing), a transfer broken and resumed with Range, layers and blobs already stored, and concurrent pulls of
/// images that share a layer (against a real docker-registry).
/// </summary>
public sealed class StreamedPullTests : IClassFixture<DockerRegistryFixture>, IDisposable
{
    private static readonly RegistryClientOptions Fast = new()
    {
        InitialBackoff = TimeSpan.FromMilliseconds(10), MaxBackoff = TimeSpan.FromMilliseconds(50), MaxAttempts = 4, StallTimeout = TimeSpan.FromSeconds(10),
    };

    private readonly DockerRegistryFixture _registries;
    private readonly TempDirectory _dir = new();

    public StreamedPullTests(DockerRegistryFixture registries) => _registries = registries;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ALayerIsUnpackedWhileItsBlobIsStillDownloading()
    {
        var big = RandomNumberGenerator.GetBytes(4 << 20);
        var layer = TestLayer.Gzip(("data/big.bin", big), ("etc/hello", "hi\n"u8.ToArray()));
        var image = TestImage.Of(layer);
        using var halfSent = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        using var server = Serve(image, async (context, digest, blob, _) =>
        {
            if (digest != layer.Digest)
            {
                return false;
            }

            // Most of the blob, then nothing until the test has looked at the snapshot being written.
            context.Response.ContentLength64 = blob.Length;
            await context.Response.OutputStream.WriteAsync(blob.AsMemory(0, blob.Length * 3 / 4));
            await context.Response.OutputStream.FlushAsync();
            halfSent.Release();
            await release.WaitAsync(TimeSpan.FromSeconds(60));
            await context.Response.OutputStream.WriteAsync(blob.AsMemory(blob.Length * 3 / 4));
            return true;
        });
        var service = NewService(out var paths);
        var pull = Task.Run(() => service.PullAsync($"{server.Address}/test/app:1"));
        try
        {
            Assert.True(await halfSent.WaitAsync(TimeSpan.FromSeconds(30)), "the layer transfer never started");
            // The blob is not complete, yet the layer's file is already being written in a temporary snapshot.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            long written = 0;
            while (written == 0 && DateTime.UtcNow < deadline)
            {
                written = Directory.Exists(service.Images.Snapshots.TempDir)
                    ? Directory.EnumerateFiles(service.Images.Snapshots.TempDir, "big.bin", SearchOption.AllDirectories).Select(f => new FileInfo(f).Length).DefaultIfEmpty(0).Max()
                    : 0;
                await Task.Delay(20);
            }

            Assert.True(written > 0, "nothing of the layer was unpacked before its download finished");
            Assert.DoesNotContain(service.Images.Content.List(), d => d.ToString() == layer.Digest);
        }
        finally
        {
            release.Release();
        }

        var pulled = await pull;
        Assert.Equal(image.ManifestDigest, pulled.ManifestDigest);
        var chainId = Digest.Parse(layer.DiffId);
        Assert.Equal(big, File.ReadAllBytes(Path.Combine(service.Images.Snapshots.FsDir(chainId), "data/big.bin")));
        Assert.Equal("hi\n", File.ReadAllText(Path.Combine(service.Images.Snapshots.FsDir(chainId), "etc/hello")));
        Assert.True(service.Images.Content.Exists(Digest.Parse(layer.Digest)));
        AssertNoLeftovers(paths);
    }

    [Theory]
    [InlineData(0.02)]
    [InlineData(0.5)]
    [InlineData(0.999)]
    public async Task ABlobCorruptMidStreamIsADigestMismatchAndLeavesNothing(double where)
    {
        var good = TestLayer.Gzip(("bin/tool", RandomNumberGenerator.GetBytes(300_000)));
        var victim = TestLayer.Gzip(("data/a.txt", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("compressible text ", 50_000)))),
            ("data/b.bin", RandomNumberGenerator.GetBytes(1_500_000)));
        var image = TestImage.Of(good, victim);
        var corrupt = (byte[])victim.Blob.Clone();
        corrupt[(int)(corrupt.Length * where)] ^= 0x5a;
        using var server = Serve(image, async (context, digest, _, _) =>
        {
            if (digest != victim.Digest)
            {
                return false;
            }

            await TestHttpServer.WriteAsync(context.Response, corrupt);
            return true;
        });
        var service = NewService(out var paths);
        var e = await Assert.ThrowsAsync<ContainerEngineException>(() => service.PullAsync($"{server.Address}/test/app:1"));
        Assert.Equal("DigestMismatch", e.ErrorId);
        Assert.Contains(victim.Digest, e.Message, StringComparison.Ordinal);
        AssertNothingKept(service, paths);
    }

    [Fact]
    public async Task AWrongDiffIdIsADiffIdMismatchAndLeavesNothing()
    {
        var bottom = TestLayer.Gzip(("etc/os-release", "ID=test\n"u8.ToArray()));
        var top = TestLayer.Gzip(("data/c.bin", RandomNumberGenerator.GetBytes(2_000_000)));
        // The blob is what the manifest says; the config's diffID for it is not what it unpacks to.
        var image = TestImage.Of([bottom, top], diffIds: [bottom.DiffId, Digest.Compute("something else"u8).ToString()]);
        using var server = Serve(image);
        var service = NewService(out var paths);
        var e = await Assert.ThrowsAsync<ContainerEngineException>(() => service.PullAsync($"{server.Address}/test/app:1"));
        Assert.Equal("DiffIdMismatch", e.ErrorId);
        AssertNothingKept(service, paths);
    }

    [Fact]
    public async Task ABrokenTransferResumesWithRangeAndTheSnapshotIsWhole()
    {
        var data = RandomNumberGenerator.GetBytes(3_000_000);
        var layer = TestLayer.Gzip(("data/resumed.bin", data), ("data/link", null));
        var image = TestImage.Of(layer);
        var gets = 0;
        using var server = Serve(image, async (context, digest, blob, _) =>
        {
            if (digest != layer.Digest || Interlocked.Increment(ref gets) > 1)
            {
                return false;
            }

            // The first GET breaks off after 1.3 MB; the client resumes from there.
            context.Response.ContentLength64 = blob.Length;
            await context.Response.OutputStream.WriteAsync(blob.AsMemory(0, 1_300_000));
            await context.Response.OutputStream.FlushAsync();
            context.Response.Abort();
            return true;
        });
        var service = NewService(out var paths);
        var pulled = await service.PullAsync($"{server.Address}/test/app:1");
        Assert.Equal(image.ManifestDigest, pulled.ManifestDigest);
        var layerGets = server.Requests.Where(r => r.PathAndQuery.EndsWith(layer.Digest, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, layerGets.Count);
        Assert.Matches(@"^bytes=\d+-$", layerGets[1].Range);
        var fs = service.Images.Snapshots.FsDir(Digest.Parse(layer.DiffId));
        Assert.Equal(data, File.ReadAllBytes(Path.Combine(fs, "data/resumed.bin")));
        Assert.Equal("resumed.bin", new FileInfo(Path.Combine(fs, "data/link")).LinkTarget);
        Assert.Equal(layer.DiffId, service.Images.Snapshots.Info(Digest.Parse(layer.DiffId))!.DiffId);
        AssertNoLeftovers(paths);
    }

    [Fact]
    public async Task StoredLayersAreNotUnpackedAgainAndStoredBlobsNotDownloadedAgain()
    {
        var shared = TestLayer.Gzip(("lib/shared.so", RandomNumberGenerator.GetBytes(500_000)));
        var first = TestImage.Of(shared, TestLayer.Gzip(("app/one", "1"u8.ToArray())));
        var second = TestImage.Of(shared, TestLayer.Gzip(("app/two", "2"u8.ToArray())));
        using var server = Serve(new Dictionary<string, TestImage> { ["one"] = first, ["two"] = second });
        var service = NewService(out var paths);
        await service.PullAsync($"{server.Address}/test/app:one");
        var sharedChain = Digest.Parse(shared.DiffId);
        var created = service.Images.Snapshots.Info(sharedChain)!.Created;
        var inode = Inode(service.Images.Snapshots.FsDir(sharedChain));

        var pulled = await new RegistryService(new ImageService(paths), RegistriesConfig.Empty, new RegistryAuthFile(Path.Combine(_dir.Path, "auth.json")), Fast)
            .PullAsync($"{server.Address}/test/app:two");
        Assert.Equal(second.ManifestDigest, pulled.ManifestDigest);
        Assert.Single(server.Requests, r => r.Method == "GET" && r.PathAndQuery.EndsWith(shared.Digest, StringComparison.Ordinal));
        Assert.Equal(created, service.Images.Snapshots.Info(sharedChain)!.Created);
        Assert.Equal(inode, Inode(service.Images.Snapshots.FsDir(sharedChain)));
        Assert.Equal(3, service.Images.Snapshots.List().Count());
        AssertNoLeftovers(paths);
    }

    [Fact]
    public async Task ConcurrentPullsOfImagesSharingALayerFromARealRegistryAllSucceed()
    {
        var shared = TestLayer.Gzip(("usr/lib/big.so", RandomNumberGenerator.GetBytes(3_000_000)), ("usr/lib/small", "s"u8.ToArray()));
        var images = new[]
        {
            TestImage.Of(shared, TestLayer.Gzip(("app/a", RandomNumberGenerator.GetBytes(1_000_000)))),
            TestImage.Of(shared, TestLayer.Gzip(("app/b", RandomNumberGenerator.GetBytes(1_000_000)))),
        };
        using (var client = new RegistryClient())
        {
            for (var i = 0; i < images.Length; i++)
            {
                var repo = await client.OpenAsync(ImageReference.Parse($"{_registries.Anonymous}/xunit/shared{i}:1"), insecure: false, push: true);
                foreach (var (digest, bytes) in images[i].Blobs)
                {
                    await repo.PushBlobAsync(digest, bytes.Length, () => new MemoryStream(bytes));
                }

                await repo.PutManifestAsync("1", images[i].Manifest, "application/vnd.oci.image.manifest.v1+json");
            }
        }

        for (var round = 0; round < 3; round++)
        {
            var paths = new EnginePaths(Path.Combine(_dir.Path, $"root{round}"), Path.Combine(_dir.Path, $"run{round}"));
            // Two pulls of one image and one of the other, each with its own services, into one store at once.
            var pulls = new[] { 0, 1, 0 }.Select(i => Task.Run(() =>
                new RegistryService(new ImageService(paths), RegistriesConfig.Empty, new RegistryAuthFile(Path.Combine(_dir.Path, "auth.json")), Fast)
                    .PullAsync($"{_registries.Anonymous}/xunit/shared{i}:1"))).ToList();
            var pulled = await Task.WhenAll(pulls);
            Assert.Equal([images[0].ManifestDigest, images[1].ManifestDigest, images[0].ManifestDigest], pulled.Select(p => p.ManifestDigest));
            var store = new ImageService(paths);
            Assert.Equal(2, store.List().Count);
            Assert.Equal(3, store.Snapshots.List().Count());
            var fs = store.Snapshots.FsDir(Digest.Parse(shared.DiffId));
            Assert.Equal(shared.Files["usr/lib/big.so"], File.ReadAllBytes(Path.Combine(fs, "usr/lib/big.so")));
            // Two manifests, two configs, three layers.
            Assert.Equal(7, store.Content.List().Count());
            AssertNoLeftovers(paths);
        }
    }

    private RegistryService NewService(out EnginePaths paths)
    {
        paths = new EnginePaths(Path.Combine(_dir.Path, "root"), Path.Combine(_dir.Path, "run"));
        return new RegistryService(new ImageService(paths), RegistriesConfig.Empty, new RegistryAuthFile(Path.Combine(_dir.Path, "auth.json")), Fast);
    }

    private static void AssertNoLeftovers(EnginePaths paths)
    {
        Assert.Empty(Directory.Exists(paths.IngestDir) ? Directory.EnumerateFileSystemEntries(paths.IngestDir) : []);
        var temp = Path.Combine(paths.SnapshotsDir, "tmp");
        Assert.Empty(Directory.Exists(temp) ? Directory.EnumerateFileSystemEntries(temp) : []);
    }

    private static void AssertNothingKept(RegistryService service, EnginePaths paths)
    {
        Assert.Empty(service.Images.Content.List());
        Assert.Empty(service.Images.Snapshots.List());
        Assert.Empty(service.Images.List());
        AssertNoLeftovers(paths);
    }

    private static ulong Inode(string path) => PSContainers.Native.LibcAt.Lstat(path, out var st) ? st.Ino : throw new FileNotFoundException(path);

    private static TestHttpServer Serve(TestImage image, Func<HttpListenerContext, string, byte[], int, Task<bool>>? blobHook = null) =>
        Serve(new Dictionary<string, TestImage> { ["1"] = image }, blobHook);

    /// <summary>
    /// A registry of a few images by tag: manifests, blobs with Range. blobHook may serve a blob its own way (and
    /// returns true when it did).
    /// </summary>
    private static TestHttpServer Serve(IReadOnlyDictionary<string, TestImage> tags, Func<HttpListenerContext, string, byte[], int, Task<bool>>? blobHook = null)
    {
        var blobs = new ConcurrentDictionary<string, byte[]>(tags.Values.SelectMany(t => t.Blobs).DistinctBy(b => b.Key));
        var attempts = new ConcurrentDictionary<string, int>();
        return new TestHttpServer(async context =>
        {
            var path = context.Request.Url!.AbsolutePath;
            var last = path[(path.LastIndexOf('/') + 1)..];
            if (path.Contains("/manifests/", StringComparison.Ordinal))
            {
                var image = tags.Values.FirstOrDefault(t => t.ManifestDigest == last) ?? tags.GetValueOrDefault(last);
                if (image is null)
                {
                    context.Response.StatusCode = 404;
                    return;
                }

                context.Response.AddHeader("Docker-Content-Digest", image.ManifestDigest);
                await TestHttpServer.WriteAsync(context.Response, image.Manifest, "application/vnd.oci.image.manifest.v1+json");
                return;
            }

            if (!path.Contains("/blobs/", StringComparison.Ordinal) || !blobs.TryGetValue(last, out var blob))
            {
                context.Response.StatusCode = path == "/v2/" ? 200 : 404;
                return;
            }

            var attempt = attempts.AddOrUpdate(last, 1, (_, n) => n + 1);
            if (blobHook is not null && await blobHook(context, last, blob, attempt))
            {
                return;
            }

            var offset = 0;
            if (context.Request.Headers["Range"] is { } range)
            {
                offset = int.Parse(range["bytes=".Length..].TrimEnd('-'), System.Globalization.CultureInfo.InvariantCulture);
                context.Response.StatusCode = 206;
                context.Response.AddHeader("Content-Range", $"bytes {offset}-{blob.Length - 1}/{blob.Length}");
            }

            context.Response.ContentLength64 = blob.Length - offset;
            await context.Response.OutputStream.WriteAsync(blob.AsMemory(offset));
        });
    }

    /// <summary>A gzip layer made here: its files, blob, digest and diffID.</summary>
    private sealed record TestLayer(IReadOnlyDictionary<string, byte[]> Files, byte[] Blob, string Digest, string DiffId)
    {
        /// <summary>Files (a null content makes a symlink to the previous file's name) in a PAX tar, gzip'd.</summary>
        public static TestLayer Gzip(params (string Name, byte[]? Data)[] files)
        {
            var tar = new MemoryStream();
            var contents = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
            {
                var previous = "";
                foreach (var directory in files.Select(f => Path.GetDirectoryName(f.Name)!).Where(d => d.Length > 0).Distinct())
                {
                    writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, directory + "/") { Mode = (UnixFileMode)0x1ED, ModificationTime = DateTimeOffset.UnixEpoch });
                }

                foreach (var (name, data) in files)
                {
                    if (data is null)
                    {
                        writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = Path.GetFileName(previous), ModificationTime = DateTimeOffset.UnixEpoch });
                        continue;
                    }

                    writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name)
                    {
                        DataStream = new MemoryStream(data), Mode = (UnixFileMode)0x1A4, ModificationTime = DateTimeOffset.UnixEpoch,
                    });
                    contents[name] = data;
                    previous = name;
                }
            }

            var gz = new MemoryStream();
            using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
            {
                z.Write(tar.ToArray());
            }

            var blob = gz.ToArray();
            return new TestLayer(contents, blob, CoreDigest.Compute(blob).ToString(), CoreDigest.Compute(tar.ToArray()).ToString());
        }
    }

    /// <summary>An OCI image of layers: config, manifest and every blob by digest.</summary>
    private sealed record TestImage(byte[] Manifest, string ManifestDigest, IReadOnlyDictionary<string, byte[]> Blobs)
    {
        public static TestImage Of(params TestLayer[] layers) => Of(layers, null);

        public static TestImage Of(TestLayer[] layers, IReadOnlyList<string>? diffIds)
        {
            var config = Encoding.UTF8.GetBytes(
                $"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{{\"Cmd\":[\"sh\"]}},\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[{string.Join(",", (diffIds ?? layers.Select(l => l.DiffId)).Select(d => $"\"{d}\""))}]}}}}");
            var configDigest = CoreDigest.Compute(config).ToString();
            var manifest = Encoding.UTF8.GetBytes(
                "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"," +
                $"\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"{configDigest}\",\"size\":{config.Length}}}," +
                $"\"layers\":[{string.Join(",", layers.Select(l => $"{{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"{l.Digest}\",\"size\":{l.Blob.Length}}}"))}]}}");
            var blobs = new Dictionary<string, byte[]>(StringComparer.Ordinal) { [configDigest] = config };
            foreach (var layer in layers)
            {
                blobs[layer.Digest] = layer.Blob;
            }

            return new TestImage(manifest, CoreDigest.Compute(manifest).ToString(), blobs);
        }
    }
}
