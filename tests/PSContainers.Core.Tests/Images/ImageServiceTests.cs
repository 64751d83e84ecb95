using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using PSContainers.Core.Containers;
using PSContainers.Core.Images;
using PSContainers.Core.Images.Oci;
using PSContainers.Core.State;

namespace PSContainers.Core.Tests.Images;

/// <summary>The store as the registry client uses it: ingest blobs, Register, resolve; concurrent registrations and removal.</summary>
public sealed class ImageServiceTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly EnginePaths _paths;

    public ImageServiceTests() => _paths = new EnginePaths(Path.Combine(_dir.Path, "root"), Path.Combine(_dir.Path, "run"));

    public void Dispose() => _dir.Dispose();

    /// <summary>Stores a two-layer gzip image the way a pull does and returns its manifest digest.</summary>
    private static async Task<Digest> StoreImage(ImageService images, string marker)
    {
        var layers = new List<OciDescriptor>();
        var diffIds = new List<string>();
        foreach (var name in new[] { "base", marker })
        {
            var tar = new MemoryStream();
            using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"etc/{name}") { DataStream = new MemoryStream("x"u8.ToArray()), ModificationTime = DateTimeOffset.UnixEpoch });
            }

            var gz = new MemoryStream();
            using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
            {
                z.Write(tar.ToArray());
            }

            var blob = gz.ToArray();
            var digest = await images.Content.IngestAsync(Digest.Compute(blob), new MemoryStream(blob), expectedSize: blob.Length);
            layers.Add(new OciDescriptor { MediaType = MediaTypes.OciLayerGzip, Digest = digest.ToString(), Size = blob.Length });
            diffIds.Add(Digest.Compute(tar.ToArray()).ToString());
        }

        var config = JsonSerializer.SerializeToUtf8Bytes(new ImageConfig
        {
            Architecture = "amd64", Os = "linux", RootFs = new ImageRootFs { DiffIds = diffIds },
            Config = new ImageRunConfig { Cmd = ["sh"] },
        }, OciJsonContext.Default.ImageConfig);
        var configDigest = images.Content.Ingest(config, Digest.Compute(config));
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new OciManifest
        {
            MediaType = MediaTypes.OciManifest,
            Config = new OciDescriptor { MediaType = MediaTypes.OciConfig, Digest = configDigest.ToString(), Size = config.Length },
            Layers = layers,
        }, OciJsonContext.Default.OciManifest);
        return images.Content.Ingest(manifest);
    }

    [Fact]
    public async Task RegisterUnpacksOnceAndNamesResolve()
    {
        var images = new ImageService(_paths);
        Digest manifest;
        using (images.AcquireLease())
        {
            manifest = await StoreImage(images, "one");
            images.Register(manifest, ["busybox", "localhost:5000/tools/bb:1"], repoDigests: ["docker.io/library/busybox@" + Digest.Compute("x"u8)]);
        }

        var image = images.Get("busybox");
        Assert.Equal(["busybox:latest", "localhost:5000/tools/bb:1"], image.RepoTags);
        Assert.Equal(image.Id, images.Get(image.ShortId).Id);
        Assert.Equal(image.Id, images.Get("docker.io/library/busybox:latest").Id);
        Assert.Equal(image.Id, images.Get(manifest.ToString()).Id);
        Assert.Equal(2, images.Snapshots.List().Count());
        Assert.Equal("ImageNotFound", Assert.Throws<ContainerEngineException>(() => images.Get("nothere")).ErrorId);
    }

    [Fact]
    public async Task ConcurrentRegistrationsOfImagesSharingALayerKeepEveryName()
    {
        var images = new ImageService(_paths);
        var manifests = new List<Digest>();
        for (var i = 0; i < 4; i++)
        {
            manifests.Add(await StoreImage(images, "top" + i));
        }

        await Task.WhenAll(manifests.Select((m, i) => Task.Run(() => new ImageService(_paths).Register(m, [$"app{i}:1"]))));
        var all = images.List();
        Assert.Equal(4, all.Count);
        Assert.Equal(Enumerable.Range(0, 4).Select(i => $"app{i}:1").Order(), all.SelectMany(a => a.RepoTags).Order());
        // One shared base layer plus four tops.
        Assert.Equal(5, images.Snapshots.List().Count());
        Assert.Empty(Directory.EnumerateFileSystemEntries(images.Snapshots.TempDir));

        Assert.Contains(images.Remove("app0:1", force: false), r => r.Action == "Deleted");
        Assert.Equal(4, images.Snapshots.List().Count());
        var pruned = images.Prune(allUnused: true);
        Assert.Equal(3, pruned.ImagesDeleted.Count);
        Assert.Empty(images.Snapshots.List());
        Assert.Empty(images.Content.List());
    }

    [Fact]
    public async Task ACorruptLayerBlobKeepsNothing()
    {
        var images = new ImageService(_paths);
        var manifest = await StoreImage(images, "corrupt");
        var top = images.ReadManifest(manifest).Layers[1].ParsedDigest;
        var path = images.Content.BlobPath(top);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var bytes = File.ReadAllBytes(path);
        bytes[^10] ^= 0xff;
        File.WriteAllBytes(path, bytes);
        var e = Assert.ThrowsAny<Exception>(() => images.Register(manifest, ["broken:1"]));
        Assert.True(e is ContainerEngineException or InvalidDataException, e.ToString());
        Assert.Empty(images.List());
        Assert.Single(images.Snapshots.List());
        Assert.Empty(Directory.EnumerateFileSystemEntries(images.Snapshots.TempDir));
    }
}
