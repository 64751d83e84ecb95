using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using PSContainers.Core.Containers;
using PSContainers.Core.Images;
using PSContainers.Core.Images.Oci;
using PSContainers.Core.State;

namespace PSContainers.Core.Tests.Images;

/// <summary>
/// Image records as docker keeps them: one per image id whatever manifest the image came under, one listing row per
/// name, and removal that untags a name and deletes the image only with its last reference.
/// </summary>
public sealed class ImageRecordTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ImageService _images;

    public ImageRecordTests() => _images = new ImageService(new EnginePaths(Path.Combine(_dir.Path, "root"), Path.Combine(_dir.Path, "run")));

    public void Dispose() => _dir.Dispose();

    /// <summary>One image (fixed layer tars and config) stored under two manifests: gzip layers and uncompressed ones, as a re-import from a docker-archive gives.</summary>
    private (Digest Gzip, Digest Plain, string Id) StoreTwoManifestsOfOneImage(string marker)
    {
        var tars = new List<byte[]>();
        foreach (var name in new[] { "base-" + marker, "top-" + marker })
        {
            var tar = new MemoryStream();
            using (var writer = new TarWriter(tar, TarEntryFormat.Ustar, leaveOpen: true))
            {
                writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, $"etc/{name}") { DataStream = new MemoryStream("x"u8.ToArray()), ModificationTime = DateTimeOffset.UnixEpoch });
            }

            tars.Add(tar.ToArray());
        }

        var config = JsonSerializer.SerializeToUtf8Bytes(new ImageConfig
        {
            Architecture = "amd64", Os = "linux", RootFs = new ImageRootFs { DiffIds = tars.Select(t => Digest.Compute(t).ToString()).ToList() },
            Config = new ImageRunConfig { Cmd = ["sh"] },
        }, OciJsonContext.Default.ImageConfig);
        var configDigest = _images.Content.Ingest(config);

        Digest StoreManifest(bool gzip)
        {
            var layers = tars.Select(tar =>
            {
                var blob = tar;
                if (gzip)
                {
                    var gz = new MemoryStream();
                    using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
                    {
                        z.Write(tar);
                    }

                    blob = gz.ToArray();
                }

                var digest = _images.Content.Ingest(blob);
                return new OciDescriptor { MediaType = gzip ? MediaTypes.OciLayerGzip : MediaTypes.OciLayer, Digest = digest.ToString(), Size = blob.Length };
            }).ToList();
            var manifest = JsonSerializer.SerializeToUtf8Bytes(new OciManifest
            {
                MediaType = MediaTypes.OciManifest,
                Config = new OciDescriptor { MediaType = MediaTypes.OciConfig, Digest = configDigest.ToString(), Size = config.Length },
                Layers = layers,
            }, OciJsonContext.Default.OciManifest);
            return _images.Content.Ingest(manifest);
        }

        return (StoreManifest(gzip: true), StoreManifest(gzip: false), configDigest.ToString());
    }

    [Fact]
    public void TheSameImageUnderTwoManifestsIsOneRecordFoundByEither()
    {
        var (gzip, plain, id) = StoreTwoManifestsOfOneImage("one");
        using (_images.AcquireLease())
        {
            _images.Register(gzip, ["registry-a.test/team/app:1"], repoDigests: [$"registry-a.test/team/app@{gzip}"]);
            var again = _images.Register(plain, ["registry-b.test/app:1"], repoDigests: [$"registry-b.test/app@{plain}"]);
            Assert.Equal(id, again.Id);
        }

        var image = Assert.Single(_images.List());
        Assert.Equal(id, image.Id);
        Assert.Equal(["registry-a.test/team/app:1", "registry-b.test/app:1"], image.RepoTags);
        Assert.Equal([$"registry-a.test/team/app@{gzip}", $"registry-b.test/app@{plain}"], image.RepoDigests);
        // The first manifest stays the one the image is read from; the other is known, and finds it.
        Assert.Equal(gzip.ToString(), image.ManifestDigest);
        Assert.Equal([gzip.ToString(), plain.ToString()], image.Digests);
        Assert.Equal(id, _images.Get(plain.ToString()).Id);
        Assert.Equal(id, _images.Get($"registry-b.test/app@{plain}").Id);
        Assert.Equal(2, _images.Snapshots.List().Count());
    }

    [Fact]
    public void RecordsOfOneImageStoredByManifestAreMergedOnLoad()
    {
        var (gzip, plain, id) = StoreTwoManifestsOfOneImage("old");
        // images.json as it was written while records were keyed by manifest: the same image twice.
        var older = new ImageRecord { Manifest = gzip.ToString(), Config = id, Names = ["docker.io/library/old:1"], Added = DateTimeOffset.UnixEpoch };
        var newer = new ImageRecord { Manifest = plain.ToString(), Config = id, Names = ["docker.io/library/old:2"], RepoDigests = [$"docker.io/library/old@{plain}"], Added = DateTimeOffset.UtcNow };
        Directory.CreateDirectory(_images.Store.Dir);
        File.WriteAllText(_images.Store.File, JsonSerializer.Serialize(new List<ImageRecord> { newer, older }));

        var record = Assert.Single(_images.Store.Load());
        Assert.Equal(gzip.ToString(), record.Manifest);
        Assert.Equal([plain.ToString()], record.OtherManifests);
        Assert.Equal(["docker.io/library/old:1", "docker.io/library/old:2"], record.Names.Order());
        Assert.Equal(DateTimeOffset.UnixEpoch, record.Added);
        Assert.Equal(["old:1", "old:2"], _images.ListNames().Select(r => r.Name).Order());
    }

    [Fact]
    public void ListingHasOneRowPerNameAndOneNoneRowForAnImageWithout()
    {
        var (named, _, namedId) = StoreTwoManifestsOfOneImage("named");
        var (dangling, _, danglingId) = StoreTwoManifestsOfOneImage("dangling");
        using (_images.AcquireLease())
        {
            _images.Register(named, ["app:1", "app:2", "localhost:5000/tools/app:1"]);
            _images.Register(dangling, []);
        }

        var rows = _images.ListNames();
        Assert.Equal(4, rows.Count);
        Assert.Equal(["app:1", "app:2", "localhost:5000/tools/app:1"], rows.Where(r => r.Id == namedId).Select(r => r.Name));
        Assert.Equal(["app", "app", "localhost:5000/tools/app"], rows.Where(r => r.Id == namedId).Select(r => r.Repository));
        Assert.Equal(["1", "2", "1"], rows.Where(r => r.Id == namedId).Select(r => r.Tag));
        var none = Assert.Single(rows, r => r.Id == danglingId);
        Assert.Null(none.Name);
        Assert.Equal(("<none>", "<none>"), (none.Repository, none.Tag));
        Assert.True(none.Dangling);
        Assert.Equal(danglingId, none.Reference);
        // One image asked by one of its names stands for that name.
        Assert.Equal("app:2", _images.Get("app:2").Name);
        Assert.Equal("app:1", _images.Get(namedId).Name);
    }

    [Fact]
    public void RemovingOneOfSeveralNamesUntagsItAndTheLastOneDeletesTheImageAndItsLayers()
    {
        var (manifest, _, id) = StoreTwoManifestsOfOneImage("rm");
        using (_images.AcquireLease())
        {
            _images.Register(manifest, ["app:1", "app:2"], repoDigests: [$"docker.io/library/app@{manifest}"]);
        }

        Assert.Equal([new ImageDeleteResult("Untagged", "app:1")], _images.Remove("app:1", force: false));
        Assert.Equal(["app:2"], _images.Get(id).RepoTags);

        var chainIds = SnapshotChainIds(id);
        var last = _images.Remove("app:2", force: false);
        Assert.Equal(
            [new("Untagged", "app:2"), new("Untagged", $"app@{manifest}"), new("Deleted", id), new("Deleted", chainIds[1]), new("Deleted", chainIds[0])],
            last);
        Assert.Empty(_images.List());
        Assert.Empty(_images.Snapshots.List());
        Assert.Equal("ImageNotFound", Assert.Throws<ContainerEngineException>(() => _images.Remove("app:2", force: false)).ErrorId);
    }

    [Fact]
    public void RemovingByIdNeedsForceWhenTheImageHasSeveralTagsOrRepositories()
    {
        var (manifest, _, id) = StoreTwoManifestsOfOneImage("byid");
        using (_images.AcquireLease())
        {
            _images.Register(manifest, ["app:1", "other/app:1"]);
        }

        var e = Assert.Throws<ContainerEngineException>(() => _images.Remove(id[7..19], force: false));
        Assert.Equal("ImageReferencedByMultipleNames", e.ErrorId);
        Assert.Contains("several repositories", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, _images.Get(id).RepoTags.Count);

        var forced = _images.Remove(id, force: true);
        Assert.Equal(["Untagged app:1", "Untagged other/app:1", "Deleted " + id], forced.Take(3).Select(r => $"{r.Action} {r.Target}"));
        Assert.Empty(_images.List());
    }

    [Fact]
    public void OneTagAndItsDigestReferencesInOneRepositoryGoByIdWithoutForce()
    {
        var (manifest, _, id) = StoreTwoManifestsOfOneImage("single");
        using (_images.AcquireLease())
        {
            _images.Register(manifest, ["localhost:5000/app:1"], repoDigests: [$"localhost:5000/app@{manifest}"]);
        }

        var results = _images.Remove(id, force: false);
        Assert.Equal(["Untagged localhost:5000/app:1", $"Untagged localhost:5000/app@{manifest}", "Deleted " + id], results.Take(3).Select(r => $"{r.Action} {r.Target}"));
    }

    [Fact]
    public void TheLastTagOfARepositoryTakesItsDigestReferencesButTheImageStaysForItsOtherRepository()
    {
        var (manifest, _, id) = StoreTwoManifestsOfOneImage("repos");
        using (_images.AcquireLease())
        {
            _images.Register(manifest, ["localhost:5000/a:1", "localhost:5000/b:1"], repoDigests: [$"localhost:5000/a@{manifest}", $"localhost:5000/b@{manifest}"]);
        }

        var results = _images.Remove("localhost:5000/a:1", force: false);
        Assert.Equal(["Untagged localhost:5000/a:1", $"Untagged localhost:5000/a@{manifest}"], results.Select(r => $"{r.Action} {r.Target}"));
        var image = _images.Get(id);
        Assert.Equal(["localhost:5000/b:1"], image.RepoTags);
        Assert.Equal([$"localhost:5000/b@{manifest}"], image.RepoDigests);

        // A digest reference is a name too: removing it untags only it.
        Assert.Equal(["Untagged " + $"localhost:5000/b@{manifest}"], _images.Remove($"localhost:5000/b@{manifest}", force: false).Select(r => $"{r.Action} {r.Target}"));
        Assert.Equal(["localhost:5000/b:1"], _images.Get(id).RepoTags);
    }

    private List<string> SnapshotChainIds(string id)
    {
        var diffIds = _images.Content.ReadAllBytes(Digest.Parse(id));
        var config = JsonSerializer.Deserialize(diffIds, OciJsonContext.Default.ImageConfig)!;
        return PSContainers.Core.Images.Snapshots.SnapshotStore.ChainIds(config.RootFs.DiffIds.Select(Digest.Parse)).Select(c => c.ToString()).ToList();
    }
}
