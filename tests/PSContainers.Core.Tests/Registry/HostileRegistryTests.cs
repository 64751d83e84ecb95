using System.Net;
using System.Security.Cryptography;
using System.Text;
using PSContainers.Core.Containers;
using PSContainers.Core.Images;
using PSContainers.Core.Registry;
using PSContainers.Core.State;

namespace PSContainers.Core.Tests.Registry;

/// <summary>
/// A registry of the test's own on 127.0.0.1 that lies: wrong digests, bodies that never end or are longer than their
/// descriptor, manifests over the 4 MiB cap, bad JSON, a manifest whose mediaType lies, blob redirects to another
/// host. A pull must fail with a clear ErrorId, read a bounded number of bytes, and leave nothing stored: no blob, no
/// ingest file, no image.
/// </summary>
public sealed class HostileRegistryTests : IDisposable
{
    private const string OciManifestType = "application/vnd.oci.image.manifest.v1+json";
    private const string OciIndexType = "application/vnd.oci.image.index.v1+json";

    private static readonly RegistryClientOptions Fast = new()
    {
        InitialBackoff = TimeSpan.FromMilliseconds(10), MaxBackoff = TimeSpan.FromMilliseconds(50), MaxAttempts = 3,
        StallTimeout = TimeSpan.FromSeconds(10),
    };

    private readonly TempDirectory _dir = new();
    private readonly byte[] _layer = LayerTar();
    private readonly byte[] _config;
    private readonly byte[] _manifest;

    public HostileRegistryTests()
    {
        _config = Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + Sha(_layer) + "\"]}}");
        _manifest = Encoding.UTF8.GetBytes(
            "{\"schemaVersion\":2,\"mediaType\":\"" + OciManifestType + "\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" +
            Sha(_config) + "\",\"size\":" + _config.Length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + Sha(_layer) +
            "\",\"size\":" + _layer.Length + "}]}");
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>An uncompressed layer: one file of 300 KB of random bytes.</summary>
    private static byte[] LayerTar()
    {
        using var stream = new MemoryStream();
        using (var writer = new System.Formats.Tar.TarWriter(stream, System.Formats.Tar.TarEntryFormat.Pax, leaveOpen: true))
        {
            var entry = new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "data.bin")
            {
                DataStream = new MemoryStream(RandomNumberGenerator.GetBytes(300_000)),
            };
            writer.WriteEntry(entry);
        }

        return stream.ToArray();
    }

    private static string Sha(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    private RegistryService NewService()
    {
        var paths = new EnginePaths(Path.Combine(_dir.Path, "root"), Path.Combine(_dir.Path, "run"));
        return new RegistryService(new ImageService(paths), RegistriesConfig.Empty, new RegistryAuthFile(Path.Combine(_dir.Path, "auth.json")), Fast);
    }

    /// <summary>Nothing of a failed pull may stay: blobs, ingest files, image records.</summary>
    private void AssertNothingStored(RegistryService service)
    {
        var paths = new EnginePaths(Path.Combine(_dir.Path, "root"), Path.Combine(_dir.Path, "run"));
        Assert.Empty(service.Images.Content.List());
        var stored = Directory.Exists(paths.BlobsDir) ? Directory.GetFiles(paths.BlobsDir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) : 0;
        Assert.Equal(0, stored);
        Assert.Empty(Directory.Exists(paths.IngestDir) ? Directory.GetFiles(paths.IngestDir, "*", SearchOption.AllDirectories) : []);
        Assert.Empty(service.Images.List());
    }

    /// <summary>A registry that serves the good image except where override answers (returns true when it did).</summary>
    private TestHttpServer Registry(Func<HttpListenerContext, string, Task<bool>> hostile) => new(async context =>
    {
        var path = context.Request.Url!.AbsolutePath;
        if (await hostile(context, path))
        {
            return;
        }

        if (path.Contains("/manifests/", StringComparison.Ordinal))
        {
            context.Response.AddHeader("Docker-Content-Digest", Sha(_manifest));
            await TestHttpServer.WriteAsync(context.Response, _manifest, OciManifestType);
        }
        else if (path.EndsWith(Sha(_config), StringComparison.Ordinal))
        {
            await TestHttpServer.WriteAsync(context.Response, _config);
        }
        else if (path.EndsWith(Sha(_layer), StringComparison.Ordinal))
        {
            await TestHttpServer.WriteAsync(context.Response, _layer);
        }
        else if (path != "/v2/")
        {
            context.Response.StatusCode = 404;
        }
    });

    private static async Task<ContainerEngineException> PullFails(RegistryService service, TestHttpServer server)
    {
        var pull = service.PullAsync($"{server.Address}/test/repo:v1");
        // Bounded: a pull that hangs on an endless body fails the test instead of stalling it.
        var finished = await Task.WhenAny(pull, Task.Delay(TimeSpan.FromSeconds(120)));
        Assert.True(finished == pull, "the pull did not end within 120 s");
        return await Assert.ThrowsAsync<ContainerEngineException>(() => pull);
    }

    [Fact]
    public async Task TheGoodImagePulls()
    {
        // The control: the same registry without a lie works, so each failure below is the lie's.
        using var server = Registry((_, _) => Task.FromResult(false));
        var service = NewService();
        var image = await service.PullAsync($"{server.Address}/test/repo:v1");
        Assert.NotNull(image);
        Assert.NotEmpty(service.Images.Content.List());
    }

    [Fact]
    public async Task ALayerWithWrongBytesIsADigestMismatchAndNothingIsStored()
    {
        var corrupt = (byte[])_layer.Clone();
        corrupt[1234] ^= 0x55;
        using var server = Registry(async (context, path) =>
        {
            if (!path.EndsWith(Sha(_layer), StringComparison.Ordinal))
            {
                return false;
            }

            await TestHttpServer.WriteAsync(context.Response, corrupt);
            return true;
        });
        var service = NewService();
        var e = await PullFails(service, server);
        Assert.Equal("DigestMismatch", e.ErrorId);
        Assert.Contains(Sha(_layer), e.Message, StringComparison.Ordinal);
        AssertNothingStored(service);
    }

    [Fact]
    public async Task AManifestWhoseDigestIsNotTheOneSentIsRefused()
    {
        using var server = Registry(async (context, path) =>
        {
            if (!path.Contains("/manifests/", StringComparison.Ordinal))
            {
                return false;
            }

            context.Response.AddHeader("Docker-Content-Digest", "sha256:" + new string('e', 64));
            await TestHttpServer.WriteAsync(context.Response, _manifest, OciManifestType);
            return true;
        });
        var service = NewService();
        Assert.Equal("DigestMismatch", (await PullFails(service, server)).ErrorId);
        AssertNothingStored(service);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ABlobThatNeverEndsIsCutAtItsSizeAndNothingIsStored(bool withContentLength)
    {
        long sent = 0;
        using var server = Registry(async (context, path) =>
        {
            if (!path.EndsWith(Sha(_layer), StringComparison.Ordinal))
            {
                return false;
            }

            // The first bytes are right, then it goes on: a Content-Length that lies (1 TB), or chunked with no end.
            if (withContentLength)
            {
                context.Response.ContentLength64 = 1L << 40;
            }
            else
            {
                context.Response.SendChunked = true;
            }

            var chunk = new byte[64 * 1024];
            await context.Response.OutputStream.WriteAsync(_layer);
            Interlocked.Add(ref sent, _layer.Length);
            // Bounded: 256 MiB at most, far more than any client that reads only the descriptor's size would take.
            for (var i = 0; i < 4096; i++)
            {
                await context.Response.OutputStream.WriteAsync(chunk);
                Interlocked.Add(ref sent, chunk.Length);
            }

            return true;
        });
        var service = NewService();
        var e = await PullFails(service, server);
        Assert.Contains(e.ErrorId, new[] { "DigestMismatch", "RegistryBadResponse", "BlobTooLarge", "RegistryUnavailable" });
        // What the client read is bounded by the descriptor's size (plus socket buffers), not by what the server offers.
        Assert.True(Interlocked.Read(ref sent) < _layer.Length + (32L << 20), $"the server got {Interlocked.Read(ref sent)} bytes out");
        AssertNothingStored(service);
    }

    [Fact]
    public async Task AManifestOverFourMebibytesIsRefusedWithoutReadingItAll()
    {
        long sent = 0;
        using var server = Registry(async (context, path) =>
        {
            if (!path.Contains("/manifests/", StringComparison.Ordinal))
            {
                return false;
            }

            // A valid JSON prefix with no end and no Content-Length: the cap must hold without the header's help.
            context.Response.ContentType = OciManifestType;
            context.Response.SendChunked = true;
            await context.Response.OutputStream.WriteAsync("""{"schemaVersion":2,"annotations":{"a":" """u8.ToArray());
            var spaces = Encoding.ASCII.GetBytes(new string(' ', 64 * 1024));
            for (var i = 0; i < 1024; i++)
            {
                await context.Response.OutputStream.WriteAsync(spaces);
                Interlocked.Add(ref sent, spaces.Length);
            }

            return true;
        });
        var service = NewService();
        var e = await PullFails(service, server);
        Assert.Contains("4194304", e.Message, StringComparison.Ordinal);
        Assert.True(Interlocked.Read(ref sent) < 40L << 20, $"the server got {Interlocked.Read(ref sent)} bytes out");
        AssertNothingStored(service);
    }

    [Fact]
    public async Task AManifestThatSaysItIsLargerThanTheCapIsRefusedBeforeItsBody()
    {
        using var server = Registry(async (context, path) =>
        {
            if (!path.Contains("/manifests/", StringComparison.Ordinal))
            {
                return false;
            }

            await TestHttpServer.WriteAsync(context.Response, new byte[(4 << 20) + 1], OciManifestType);
            return true;
        });
        var service = NewService();
        var e = await PullFails(service, server);
        Assert.Contains("larger than 4194304 bytes", e.Message, StringComparison.Ordinal);
        AssertNothingStored(service);
    }

    [Theory]
    [InlineData("{\"schemaVersion\":2,\"config\":")]
    [InlineData("not json at all")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":null,\"layers\":null}")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"digest\":\"sha256:zz\"},\"layers\":[]}")]
    [InlineData("[]")]
    [InlineData("null")]
    public async Task AManifestThatIsNotValidJsonIsRefusedAndNotStored(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        using var server = Registry(async (context, path) =>
        {
            if (!path.Contains("/manifests/", StringComparison.Ordinal))
            {
                return false;
            }

            await TestHttpServer.WriteAsync(context.Response, bytes, OciManifestType);
            return true;
        });
        var service = NewService();
        var e = await PullFails(service, server);
        Assert.Contains(e.Kind, new[] { ContainerErrorKind.InvalidArgument, ContainerErrorKind.InvalidData });
        AssertNothingStored(service);
    }

    [Fact]
    public async Task AManifestWhoseMediaTypeLiesIsRefusedAndNotStored()
    {
        // The header and the body say "index", but the body is a manifest (no manifests list): it must not be taken as an image.
        var lying = Encoding.UTF8.GetString(_manifest).Replace(OciManifestType, OciIndexType, StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(lying);
        using var server = Registry(async (context, path) =>
        {
            if (!path.Contains("/manifests/", StringComparison.Ordinal))
            {
                return false;
            }

            await TestHttpServer.WriteAsync(context.Response, bytes, OciIndexType);
            return true;
        });
        var service = NewService();
        var e = await PullFails(service, server);
        Assert.Contains(e.Kind, new[] { ContainerErrorKind.InvalidArgument, ContainerErrorKind.InvalidData, ContainerErrorKind.NotFound });
        AssertNothingStored(service);
    }

    [Fact]
    public async Task AManifestServedAsAnotherMediaTypeThanItsBodySaysIsRefused()
    {
        // The Content-Type says manifest, the body says index and holds a manifests list.
        var index = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"mediaType\":\"" + OciIndexType + "\",\"manifests\":[{\"mediaType\":\"" + OciManifestType + "\",\"digest\":\"" +
            Sha(_manifest) + "\",\"size\":" + _manifest.Length + ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}");
        using var server = Registry(async (context, path) =>
        {
            if (!path.EndsWith("/manifests/v1", StringComparison.Ordinal))
            {
                return false;
            }

            await TestHttpServer.WriteAsync(context.Response, index, OciManifestType);
            return true;
        });
        var service = NewService();
        var e = await PullFails(service, server);
        Assert.Contains(e.Kind, new[] { ContainerErrorKind.InvalidArgument, ContainerErrorKind.InvalidData });
        AssertNothingStored(service);
    }

    [Fact]
    public async Task ABlobRedirectToAnotherHostIsFollowedWithoutTheCredential()
    {
        // The CDN: another port on 127.0.0.1 is another host (origin) to the client.
        using var cdn = new TestHttpServer(async context =>
        {
            var path = context.Request.Url!.AbsolutePath;
            await TestHttpServer.WriteAsync(context.Response, path.EndsWith(Sha(_layer), StringComparison.Ordinal) ? _layer : _config);
        });
        using var server = Registry((context, path) =>
        {
            if (context.Request.Headers["Authorization"] is null)
            {
                context.Response.StatusCode = 401;
                context.Response.AddHeader("WWW-Authenticate", "Basic realm=\"test\"");
                return Task.FromResult(true);
            }

            if (!path.Contains("/blobs/", StringComparison.Ordinal))
            {
                return Task.FromResult(false);
            }

            context.Response.StatusCode = 307;
            context.Response.RedirectLocation = $"http://{cdn.Address}/cdn{path}?signature=x";
            return Task.FromResult(true);
        });
        var service = NewService();
        var credential = new RegistryCredential("user", "secret-password", null, "test");
        var image = await service.PullAsync($"{server.Address}/test/repo:v1", credential: credential);
        Assert.NotNull(image);
        Assert.NotEmpty(cdn.Requests);
        Assert.All(cdn.Requests, r => Assert.Null(r.Authorization));
        Assert.Contains(server.Requests, r => r.Authorization is not null);
    }
}
