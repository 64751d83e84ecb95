using System.Security.Cryptography;
using System.Text;
using PSContainers.Core.Containers;
using PSContainers.Core.Images;
using PSContainers.Core.Registry;

namespace PSContainers.Core.Tests.Registry;

/// <summary>The distribution client against a real docker-registry: uploads (one PUT and PATCH chunks), mounts, manifests, logins.</summary>
public sealed class RegistryClientRealRegistryTests : IClassFixture<DockerRegistryFixture>
{
    private static readonly RegistryClientOptions SmallChunks = new() { MonolithicUploadLimit = 1024, UploadChunkSize = 64 * 1024 };
    private readonly DockerRegistryFixture _registries;

    public RegistryClientRealRegistryTests(DockerRegistryFixture registries) => _registries = registries;

    private static (byte[] Bytes, string Digest) RandomBlob(int size)
    {
        var bytes = RandomNumberGenerator.GetBytes(size);
        return (bytes, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    private static ImageReference Ref(string registry, string path) => ImageReference.Parse($"{registry}/{path}:x");

    [Fact]
    public async Task AChunkedUploadArrivesWholeAndDownloadsBackVerified()
    {
        using var client = new RegistryClient(options: SmallChunks);
        var repo = await client.OpenAsync(Ref(_registries.Anonymous, "xunit/chunked"), insecure: false, push: true);
        Assert.Equal("http", repo.Scheme);
        var (bytes, digest) = RandomBlob(300_000);
        var reports = new List<TransferProgress>();
        var state = await repo.PushBlobAsync(digest, bytes.Length, () => new MemoryStream(bytes), progress: new SyncProgress<TransferProgress>(reports.Add));
        Assert.Equal(TransferState.Complete, state);
        Assert.Equal(300_000, await repo.GetBlobSizeAsync(digest));
        // Five chunks of 64 KiB: the position climbs chunk by chunk to the end.
        Assert.Contains(reports, r => r.State == TransferState.Uploading && r.Current == 65536);
        Assert.Equal(300_000, reports.Where(r => r.State == TransferState.Uploading).Max(r => r.Current));

        using var copy = new MemoryStream();
        await repo.DownloadBlobAsync(digest, bytes.Length, copy, verify: true);
        Assert.Equal(bytes, copy.ToArray());
        Assert.Equal(TransferState.AlreadyExists, await repo.PushBlobAsync(digest, bytes.Length, () => new MemoryStream(bytes)));
    }

    [Fact]
    public async Task ASmallBlobGoesUpInOnePutAndAMountAvoidsAnUpload()
    {
        using var client = new RegistryClient();
        var source = await client.OpenAsync(Ref(_registries.Anonymous, "xunit/source"), false, push: true);
        var (bytes, digest) = RandomBlob(5000);
        Assert.Equal(TransferState.Complete, await source.PushBlobAsync(digest, bytes.Length, () => new MemoryStream(bytes)));

        var target = await client.OpenAsync(Ref(_registries.Anonymous, "xunit/target"), false, push: true);
        Assert.Null(await target.GetBlobSizeAsync(digest));
        var opened = 0;
        var state = await target.PushBlobAsync(digest, bytes.Length, () => { opened++; return new MemoryStream(bytes); }, mountFrom: ["xunit/source"]);
        Assert.Equal(TransferState.Mounted, state);
        Assert.Equal(0, opened);
        Assert.Equal(5000, await target.GetBlobSizeAsync(digest));
    }

    [Fact]
    public async Task AManifestPutByTagComesBackByTagAndByDigestWithTheSameBytes()
    {
        using var client = new RegistryClient();
        var repo = await client.OpenAsync(Ref(_registries.Anonymous, "xunit/manifest"), false, push: true);
        var config = Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}""");
        var configDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(config));
        await repo.PushBlobAsync(configDigest, config.Length, () => new MemoryStream(config));
        var manifest = Encoding.UTF8.GetBytes(
            $$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{configDigest}}","size":{{config.Length}}},"layers":[]}""");
        var pushed = await repo.PutManifestAsync("v1", manifest, "application/vnd.oci.image.manifest.v1+json");
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(manifest)), pushed);

        var byTag = await repo.GetManifestAsync("v1");
        Assert.Equal(manifest, byTag.Bytes);
        Assert.Equal(pushed, byTag.Digest);
        Assert.Equal("application/vnd.oci.image.manifest.v1+json", byTag.MediaType);
        var byDigest = await repo.GetManifestAsync(pushed);
        Assert.Equal(manifest, byDigest.Bytes);
    }

    [Fact]
    public async Task AManifestWhoseBlobsAreMissingIsRefusedAsManifestUnknown()
    {
        using var client = new RegistryClient();
        var repo = await client.OpenAsync(Ref(_registries.Anonymous, "xunit/missing"), false, push: true);
        var manifest = Encoding.UTF8.GetBytes(
            """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","size":2},"layers":[]}""");
        var e = await Assert.ThrowsAsync<ContainerEngineException>(() => repo.PutManifestAsync("v1", manifest, "application/vnd.oci.image.manifest.v1+json"));
        Assert.Equal("ManifestUnknown", e.ErrorId);
    }

    [Fact]
    public async Task BasicAuthLoginsAreCheckedAndAnonymousAccessIsRefused()
    {
        using var client = new RegistryClient();
        await client.VerifyLoginAsync(_registries.Secured, new RegistryCredential(DockerRegistryFixture.User, DockerRegistryFixture.Password));
        var wrong = await Assert.ThrowsAsync<ContainerEngineException>(() =>
            client.VerifyLoginAsync(_registries.Secured, new RegistryCredential(DockerRegistryFixture.User, "nope")));
        Assert.Equal("RegistryAuthenticationFailed", wrong.ErrorId);
        Assert.Equal(ContainerErrorKind.AuthenticationFailed, wrong.Kind);
        Assert.Contains($"refused the login of {DockerRegistryFixture.User}", wrong.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("nope", wrong.Message, StringComparison.Ordinal);

        var anonymous = await Assert.ThrowsAsync<ContainerEngineException>(async () =>
        {
            var repo = await client.OpenAsync(Ref(_registries.Secured, "xunit/private"), false, push: false);
            await repo.GetManifestAsync("v1");
        });
        Assert.Equal("RegistryAuthenticationFailed", anonymous.ErrorId);

        var withLogin = await client.OpenAsync(Ref(_registries.Secured, "xunit/private"), false, push: false,
            new RegistryCredential(DockerRegistryFixture.User, DockerRegistryFixture.Password));
        var missing = await Assert.ThrowsAsync<ContainerEngineException>(() => withLogin.GetManifestAsync("v1"));
        Assert.Equal("ImageNotFound", missing.ErrorId);
    }

    [Fact]
    public async Task TheAuthFilesLoginIsUsedWhenNoneIsGiven()
    {
        using var dir = new TempDirectory();
        var authFile = new RegistryAuthFile(Path.Combine(dir.Path, "auth.json"));
        authFile.Store(_registries.Secured, new RegistryCredential(DockerRegistryFixture.User, DockerRegistryFixture.Password));
        using var client = new RegistryClient(authFile: authFile);
        var repo = await client.OpenAsync(Ref(_registries.Secured, "xunit/fromfile"), false, push: true);
        var (bytes, digest) = RandomBlob(100);
        Assert.Equal(TransferState.Complete, await repo.PushBlobAsync(digest, bytes.Length, () => new MemoryStream(bytes)));
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; tests want the reports in order, at once.</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        private readonly object _gate = new();

        public void Report(T value)
        {
            lock (_gate)
            {
                report(value);
            }
        }
    }
}
