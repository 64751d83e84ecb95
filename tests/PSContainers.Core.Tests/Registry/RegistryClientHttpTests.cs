using System.Net;
using System.Security.Cryptography;
using System.Text;
using PSContainers.Core.Containers;
using PSContainers.Core.Images;
using PSContainers.Core.Registry;
using PSContainers.Core.State;

namespace PSContainers.Core.Tests.Registry;

/// <summary>
/// HTTP behaviours a real registry cannot be made to show on demand, against a small server on 127.0.0.1: broken
/// transfers resumed with Range, 5xx retries, corrupt bytes, Bearer token auth, cancellation.
/// </summary>
public sealed class RegistryClientHttpTests
{
    private static readonly RegistryClientOptions Fast = new()
    {
        InitialBackoff = TimeSpan.FromMilliseconds(10), MaxBackoff = TimeSpan.FromMilliseconds(50), MaxAttempts = 4,
        StallTimeout = TimeSpan.FromSeconds(5),
    };

    private static readonly byte[] Blob = RandomNumberGenerator.GetBytes(1_000_000);
    private static readonly string BlobDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Blob));

    private static Task<RegistryRepository> Open(RegistryClient client, TestHttpServer server, RegistryCredential? credential = null) =>
        client.OpenAsync(ImageReference.Parse($"{server.Address}/test/repo:x"), insecure: false, push: false, credential);

    private static async Task ServeBlob(HttpListenerContext context, byte[] blob, bool honourRange = true, int? breakAfter = null)
    {
        var response = context.Response;
        var offset = 0L;
        var range = context.Request.Headers["Range"];
        if (range is not null && honourRange)
        {
            offset = long.Parse(range["bytes=".Length..].TrimEnd('-'), System.Globalization.CultureInfo.InvariantCulture);
            response.StatusCode = 206;
            response.AddHeader("Content-Range", $"bytes {offset}-{blob.Length - 1}/{blob.Length}");
        }

        response.ContentLength64 = blob.Length - offset;
        var end = breakAfter is { } n ? (int)Math.Min(blob.Length, offset + n) : blob.Length;
        await response.OutputStream.WriteAsync(blob.AsMemory((int)offset, end - (int)offset));
        if (breakAfter is not null)
        {
            await response.OutputStream.FlushAsync();
            // A connection reset mid-body: what a flaky network or a restarted proxy does.
            response.Abort();
        }
    }

    [Fact]
    public async Task ABrokenTransferResumesWithRangeFromWhereItStopped()
    {
        var gets = 0;
        using var server = new TestHttpServer(async context =>
        {
            if (context.Request.Url!.AbsolutePath == "/v2/")
            {
                return;
            }

            var first = Interlocked.Increment(ref gets) == 1;
            await ServeBlob(context, Blob, breakAfter: first ? 300_000 : null);
        });
        using var client = new RegistryClient(options: Fast);
        var repo = await Open(client, server);
        using var copy = new MemoryStream();
        await repo.DownloadBlobAsync(BlobDigest, Blob.Length, copy, verify: true);
        Assert.Equal(Blob, copy.ToArray());
        var blobRequests = server.Requests.Where(r => r.PathAndQuery.Contains("/blobs/", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, blobRequests.Count);
        Assert.Null(blobRequests[0].Range);
        Assert.Matches(@"^bytes=\d+-$", blobRequests[1].Range);
        var resumedAt = long.Parse(blobRequests[1].Range!["bytes=".Length..].TrimEnd('-'), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(resumedAt, 1, 300_000);
    }

    [Fact]
    public async Task AServerThatIgnoresRangeIsReadPastWhatIsAlreadyWritten()
    {
        var gets = 0;
        using var server = new TestHttpServer(async context =>
        {
            if (context.Request.Url!.AbsolutePath != "/v2/")
            {
                await ServeBlob(context, Blob, honourRange: false, breakAfter: Interlocked.Increment(ref gets) == 1 ? 400_000 : null);
            }
        });
        using var client = new RegistryClient(options: Fast);
        var repo = await Open(client, server);
        using var copy = new MemoryStream();
        await repo.DownloadBlobAsync(BlobDigest, Blob.Length, copy, verify: true);
        Assert.Equal(Blob, copy.ToArray());
    }

    [Fact]
    public async Task FiveHundredsAreRetriedWithBackoffAndThenGiveRegistryUnavailable()
    {
        var manifestGets = 0;
        var manifest = Encoding.UTF8.GetBytes("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]}""");
        using var server = new TestHttpServer(async context =>
        {
            var path = context.Request.Url!.AbsolutePath;
            if (path.EndsWith("/manifests/flaky", StringComparison.Ordinal))
            {
                if (Interlocked.Increment(ref manifestGets) <= 2)
                {
                    context.Response.StatusCode = 503;
                    return;
                }

                await TestHttpServer.WriteAsync(context.Response, manifest, "application/vnd.oci.image.manifest.v1+json");
            }
            else if (path.EndsWith("/manifests/down", StringComparison.Ordinal))
            {
                context.Response.StatusCode = 502;
            }
        });
        using var client = new RegistryClient(options: Fast);
        var repo = await Open(client, server);
        var got = await repo.GetManifestAsync("flaky");
        Assert.Equal(manifest, got.Bytes);
        Assert.Equal(3, manifestGets);

        var e = await Assert.ThrowsAsync<ContainerEngineException>(() => repo.GetManifestAsync("down"));
        Assert.Equal("RegistryUnavailable", e.ErrorId);
        Assert.Equal(ContainerErrorKind.Unavailable, e.Kind);
        Assert.Equal(Fast.MaxAttempts, server.Requests.Count(r => r.PathAndQuery.EndsWith("/manifests/down", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task WrongBytesAndAWrongManifestDigestAreDigestMismatches()
    {
        var corrupt = (byte[])Blob.Clone();
        corrupt[500_000] ^= 0xff;
        var manifest = Encoding.UTF8.GetBytes("""{"schemaVersion":2,"config":{},"layers":[]}""");
        using var server = new TestHttpServer(async context =>
        {
            var path = context.Request.Url!.AbsolutePath;
            if (path.Contains("/blobs/", StringComparison.Ordinal))
            {
                await ServeBlob(context, corrupt);
            }
            else if (path.Contains("/manifests/", StringComparison.Ordinal))
            {
                context.Response.AddHeader("Docker-Content-Digest", "sha256:" + new string('0', 64));
                await TestHttpServer.WriteAsync(context.Response, manifest, "application/vnd.oci.image.manifest.v1+json");
            }
        });
        using var client = new RegistryClient(options: Fast);
        var repo = await Open(client, server);
        var blob = await Assert.ThrowsAsync<ContainerEngineException>(() => repo.DownloadBlobAsync(BlobDigest, Blob.Length, new MemoryStream(), verify: true));
        Assert.Equal("DigestMismatch", blob.ErrorId);
        Assert.Contains(BlobDigest, blob.Message, StringComparison.Ordinal);
        var byTag = await Assert.ThrowsAsync<ContainerEngineException>(() => repo.GetManifestAsync("v1"));
        Assert.Equal("DigestMismatch", byTag.ErrorId);
        var byDigest = await Assert.ThrowsAsync<ContainerEngineException>(() => repo.GetManifestAsync("sha256:" + new string('1', 64)));
        Assert.Equal("DigestMismatch", byDigest.ErrorId);
    }

    [Fact]
    public async Task BearerTokensAreFetchedWithBasicCredentialsAndTheScopeAndCachedPerScope()
    {
        var tokenRequests = new List<string>();
        var manifest = Encoding.UTF8.GetBytes("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]}""");
        TestHttpServer? self = null;
        using var server = new TestHttpServer(async context =>
        {
            var request = context.Request;
            var path = request.Url!.AbsolutePath;
            if (path == "/token")
            {
                lock (tokenRequests)
                {
                    tokenRequests.Add(request.Url.Query);
                }

                var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:wonderland"));
                if (request.Headers["Authorization"] != basic)
                {
                    context.Response.StatusCode = 401;
                    return;
                }

                await TestHttpServer.WriteAsync(context.Response, Encoding.UTF8.GetBytes("""{"token":"tok-1","expires_in":300}"""), "application/json");
                return;
            }

            if (request.Headers["Authorization"] != "Bearer tok-1")
            {
                context.Response.AddHeader("WWW-Authenticate",
                    $"Bearer realm=\"http://{self!.Address}/token\",service=\"test-registry\",scope=\"repository:test/repo:pull\"");
                context.Response.StatusCode = 401;
                return;
            }

            await TestHttpServer.WriteAsync(context.Response, manifest, "application/vnd.oci.image.manifest.v1+json");
        });
        self = server;
        using var client = new RegistryClient(options: Fast);
        var repo = await Open(client, server, new RegistryCredential("alice", "wonderland"));
        Assert.Equal(manifest, (await repo.GetManifestAsync("a")).Bytes);
        Assert.Equal(manifest, (await repo.GetManifestAsync("b")).Bytes);
        var token = Assert.Single(tokenRequests);
        Assert.Contains("service=test-registry", token, StringComparison.Ordinal);
        Assert.Contains("scope=" + Uri.EscapeDataString("repository:test/repo:pull"), token, StringComparison.Ordinal);
        Assert.Contains("account=alice", token, StringComparison.Ordinal);
        // Bearer, never the password, goes to the registry itself.
        Assert.All(server.Requests.Where(r => r.PathAndQuery.Contains("/manifests/", StringComparison.Ordinal) && r.Authorization is not null),
            r => Assert.Equal("Bearer tok-1", r.Authorization));

        using var wrongClient = new RegistryClient(options: Fast);
        var wrong = await Open(wrongClient, server, new RegistryCredential("alice", "looking-glass"));
        var e = await Assert.ThrowsAsync<ContainerEngineException>(() => wrong.GetManifestAsync("a"));
        Assert.Equal("RegistryAuthenticationFailed", e.ErrorId);
        Assert.Contains("token service", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancellingAPullLeavesNoPartialBlobAndNoImage()
    {
        // A layer that sends half of itself and then stalls: the pull is cancelled mid-transfer.
        var layer = RandomNumberGenerator.GetBytes(200_000);
        var layerDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(layer));
        var config = Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[""" + $"\"{layerDigest}\"]}}}}");
        var configDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(config));
        var manifest = Encoding.UTF8.GetBytes(
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\"," +
            $"\"digest\":\"{configDigest}\",\"size\":{config.Length}}},\"layers\":[{{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"{layerDigest}\",\"size\":{layer.Length}}}]}}");
        using var halfSent = new SemaphoreSlim(0);
        using var release = new CancellationTokenSource();
        using var server = new TestHttpServer(async context =>
        {
            var path = context.Request.Url!.AbsolutePath;
            if (path.Contains("/manifests/", StringComparison.Ordinal))
            {
                await TestHttpServer.WriteAsync(context.Response, manifest, "application/vnd.oci.image.manifest.v1+json");
            }
            else if (path.EndsWith(configDigest, StringComparison.Ordinal))
            {
                await TestHttpServer.WriteAsync(context.Response, config);
            }
            else if (path.EndsWith(layerDigest, StringComparison.Ordinal))
            {
                context.Response.ContentLength64 = layer.Length;
                await context.Response.OutputStream.WriteAsync(layer.AsMemory(0, 100_000));
                await context.Response.OutputStream.FlushAsync();
                halfSent.Release();
                await Task.Delay(Timeout.Infinite, release.Token).ContinueWith(_ => { });
                context.Response.Abort();
            }
        });
        using var dir = new TempDirectory();
        var paths = new EnginePaths(Path.Combine(dir.Path, "root"), Path.Combine(dir.Path, "run"));
        var service = new RegistryService(new ImageService(paths), RegistriesConfig.Empty, new RegistryAuthFile(Path.Combine(dir.Path, "auth.json")), Fast);
        using var cancel = new CancellationTokenSource();
        var pull = service.PullAsync($"{server.Address}/test/repo:v1", cancellationToken: cancel.Token);
        Assert.True(await halfSent.WaitAsync(TimeSpan.FromSeconds(20)), "the layer transfer never started");
        await Task.Delay(200);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pull);
        await release.CancelAsync();

        Assert.False(File.Exists(Path.Combine(paths.BlobsDir, "sha256", layerDigest[7..])));
        // The manifest and config it had stored are gone too: nothing references them.
        Assert.Empty(service.Images.Content.List());
        Assert.Empty(Directory.Exists(paths.IngestDir) ? Directory.GetFiles(paths.IngestDir) : []);
        Assert.Empty(service.Images.List());
    }
}
