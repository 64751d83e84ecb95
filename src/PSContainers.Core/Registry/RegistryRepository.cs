using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace PSContainers.Core.Registry;

/// <summary>
/// One repository on one registry, as the OCI distribution spec serves it: manifests by tag or digest (verified),
/// blobs downloaded with Range resume and digest checks, blob existence, cross-repository mounts, monolithic and
/// chunked uploads, manifest pushes.
/// </summary>
public sealed class RegistryRepository
{
    /// <summary>What a pull accepts, best first: OCI and Docker schema 2 manifests and indexes.</summary>
    public static readonly IReadOnlyList<string> ManifestAcceptTypes =
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ];

    /// <summary>Manifests larger than this are refused, as containerd and the distribution registry do.</summary>
    public const int MaxManifestBytes = 4 << 20;

    private const int BufferSize = 1 << 17;

    private readonly RegistryTransport _transport;
    private readonly RegistryHost _host;
    private readonly IReadOnlyList<string> _scopes;

    internal RegistryRepository(RegistryTransport transport, RegistryHost host, string path, bool push)
    {
        _transport = transport;
        _host = host;
        Path = path;
        CanPush = push;
        _scopes = [$"repository:{path}:{(push ? "pull,push" : "pull")}"];
    }

    public string Domain => _host.Domain;

    /// <summary>The repository path (library/busybox).</summary>
    public string Path { get; }

    public bool CanPush { get; }

    /// <summary>The URL scheme the registry answered on (https, or http for insecure registries).</summary>
    public string Scheme => _host.BaseUri.Scheme;

    private string Name => $"{Domain}/{Path}";

    /// <summary>GET /v2/NAME/manifests/REF with every manifest type accepted; the digest is checked.</summary>
    /// <exception cref="Containers.ContainerEngineException">ImageNotFound (tag) or ManifestUnknown (digest), DigestMismatch.</exception>
    public async Task<RegistryManifest> GetManifestAsync(string tagOrDigest, CancellationToken cancellationToken = default)
    {
        var byDigest = tagOrDigest.Contains(':');
        using var response = await _transport.SendAsync(_host, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, Url($"manifests/{tagOrDigest}"));
            foreach (var type in ManifestAcceptTypes)
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
            }

            return request;
        }, _scopes, retry: true, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            var detail = await RegistryTransport.ErrorDetailAsync(response, cancellationToken).ConfigureAwait(false);
            var reference = $"{Name}{(byDigest ? "@" : ":")}{tagOrDigest}";
            throw byDigest
                ? RegistryErrors.ManifestUnknown(reference, detail)
                : RegistryErrors.ImageNotFound(reference, $"the registry answered {detail}");
        }

        await EnsureSuccessAsync(response, $"GET manifest {tagOrDigest}", cancellationToken).ConfigureAwait(false);
        if (response.Content.Headers.ContentLength > MaxManifestBytes)
        {
            throw RegistryErrors.BadResponse(Domain, $"the manifest {tagOrDigest} is larger than {MaxManifestBytes} bytes.");
        }

        var bytes = await ReadLimitedAsync(response, MaxManifestBytes, cancellationToken).ConfigureAwait(false);
        var expected = byDigest ? tagOrDigest : response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.FirstOrDefault() : null;
        var algorithm = expected is not null && expected.StartsWith("sha512:", StringComparison.Ordinal) ? "sha512" : "sha256";
        var actual = ComputeDigest(algorithm, bytes);
        if (expected is not null && expected != actual)
        {
            throw RegistryErrors.DigestMismatch($"the manifest {Name}{(byDigest ? "@" : ":")}{tagOrDigest}", expected, actual);
        }

        var digest = algorithm == "sha256" ? actual : ComputeDigest("sha256", bytes);
        return new RegistryManifest(bytes, MediaTypeOf(response, bytes), byDigest ? tagOrDigest : digest);
    }

    /// <summary>The blob's size when the repository has it (HEAD), else null.</summary>
    public async Task<long?> GetBlobSizeAsync(string digest, CancellationToken cancellationToken = default)
    {
        using var response = await _transport.SendAsync(_host, () => new HttpRequestMessage(HttpMethod.Head, Url($"blobs/{digest}")), _scopes, retry: true, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, $"HEAD blob {digest}", cancellationToken).ConfigureAwait(false);
        return response.Content.Headers.ContentLength ?? 0;
    }

    /// <summary>
    /// Writes the blob to destination (append-only), resuming with a Range request after a broken transfer; when
    /// verify is set the bytes are hashed here and DigestMismatch thrown on a wrong digest (leave it unset when the
    /// destination verifies, e.g. a content store writer). Progress gets the bytes written so far.
    /// </summary>
    public async Task DownloadBlobAsync(string digest, long size, Stream destination, bool verify, IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        using var hasher = verify ? CreateHasher(digest) : null;
        var written = 0L;
        var resumes = 0;
        var failures = 0;
        var buffer = new byte[BufferSize];
        progress?.Report(new TransferProgress(digest, 0, size, TransferState.Downloading));
        while (true)
        {
            var startedAt = written;
            try
            {
                await DownloadFromAsync(digest, size, destination, hasher, buffer, written, n =>
                {
                    written += n;
                    progress?.Report(new TransferProgress(digest, written, size, TransferState.Downloading));
                }, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not Containers.ContainerEngineException && RegistryTransport.IsTransient(e))
            {
                failures = written > startedAt ? 0 : failures + 1;
                resumes++;
                if (failures >= _transport.Options.MaxAttempts || resumes > _transport.Options.MaxResumes)
                {
                    throw RegistryErrors.Unavailable(Domain, $"the download of {digest} broke {resumes} times, last at {written} of {size} bytes: {RegistryTransport.Describe(e)}", e);
                }

                var delay = _transport.Backoff(Math.Max(failures, 1), null);
                _transport.Logger.LogWarning("{Registry}: download of {Digest} broke at {Written} of {Size} bytes ({Problem}); resuming in {Delay} ms",
                    Domain, digest, written, size, RegistryTransport.Describe(e), (int)delay.TotalMilliseconds);
                progress?.Report(new TransferProgress(digest, written, size, TransferState.Resuming));
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }

        if (written != size)
        {
            throw RegistryErrors.DigestMismatch($"the blob {digest}", $"{size} bytes", $"{written} bytes");
        }

        if (hasher is not null)
        {
            var actual = digest[..digest.IndexOf(':')] + ":" + Convert.ToHexStringLower(hasher.GetHashAndReset());
            if (actual != digest)
            {
                throw RegistryErrors.DigestMismatch($"the blob {digest} of {Name}", digest, actual);
            }
        }
    }

    private async Task DownloadFromAsync(string digest, long size, Stream destination, IncrementalHash? hasher, byte[] buffer, long offset, Action<int> advanced, CancellationToken cancellationToken)
    {
        using var response = await _transport.SendAsync(_host, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, Url($"blobs/{digest}"));
            if (offset > 0)
            {
                request.Headers.Range = new RangeHeaderValue(offset, null);
            }

            return request;
        }, _scopes, retry: true, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw RegistryErrors.ManifestUnknown($"{Name}@{digest}", "the blob is missing from the registry: " + await RegistryTransport.ErrorDetailAsync(response, cancellationToken).ConfigureAwait(false));
        }

        if (offset > 0 && response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && offset == size)
        {
            return;
        }

        await EnsureSuccessAsync(response, $"GET blob {digest}", cancellationToken).ConfigureAwait(false);
        var skip = 0L;
        if (offset > 0)
        {
            if (response.StatusCode == HttpStatusCode.PartialContent)
            {
                var from = response.Content.Headers.ContentRange?.From;
                if (from != offset)
                {
                    throw RegistryErrors.BadResponse(Domain, $"asked for {digest} from byte {offset}, it sent a range from {from}.");
                }
            }
            else
            {
                // The server ignored Range: read past what is already written.
                skip = offset;
                _transport.Logger.LogDebug("{Registry}: no Range support; re-reading {Skip} bytes of {Digest}", Domain, skip, digest);
            }
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        while (true)
        {
            stall.CancelAfter(_transport.Options.StallTimeout);
            int n;
            try
            {
                n = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"no data for {_transport.Options.StallTimeout.TotalSeconds} s");
            }

            if (n == 0)
            {
                break;
            }

            var chunk = buffer.AsMemory(0, n);
            if (skip > 0)
            {
                var drop = (int)Math.Min(skip, n);
                skip -= drop;
                chunk = chunk[drop..];
                if (chunk.Length == 0)
                {
                    continue;
                }
            }

            if (offset + chunk.Length > size)
            {
                throw RegistryErrors.DigestMismatch($"the blob {digest} of {Name}", $"{size} bytes", "more bytes");
            }

            await destination.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
            hasher?.AppendData(chunk.Span);
            offset += chunk.Length;
            advanced(chunk.Length);
        }
    }

    /// <summary>
    /// Makes the blob exist in this repository: nothing when it is there, a cross-repository mount when one of
    /// mountFrom (repositories on the same registry) has it, otherwise an upload (one PUT, or PATCH chunks for
    /// large blobs). open must return the blob's content from its start each time it is called.
    /// </summary>
    public async Task<TransferState> PushBlobAsync(string digest, long size, Func<Stream> open, IReadOnlyList<string>? mountFrom = null,
        IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (await GetBlobSizeAsync(digest, cancellationToken).ConfigureAwait(false) is not null)
        {
            progress?.Report(new TransferProgress(digest, size, size, TransferState.AlreadyExists));
            return TransferState.AlreadyExists;
        }

        foreach (var from in mountFrom ?? [])
        {
            if (from == Path)
            {
                continue;
            }

            var scopes = new[] { _scopes[0], $"repository:{from}:pull" };
            using var response = await _transport.SendAsync(_host,
                () => new HttpRequestMessage(HttpMethod.Post, Url($"blobs/uploads/?mount={Uri.EscapeDataString(digest)}&from={Uri.EscapeDataString(from)}")),
                scopes, retry: true, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                _transport.Logger.LogInformation("{Registry}: mounted {Digest} from {From} into {Path}", Domain, digest, from, Path);
                progress?.Report(new TransferProgress(digest, size, size, TransferState.Mounted));
                return TransferState.Mounted;
            }

            if (response.StatusCode == HttpStatusCode.Accepted && response.Headers.Location is { } location)
            {
                // Not mountable from there: the registry opened an ordinary upload, which is used as it is.
                await UploadWithRetriesAsync(digest, size, open, progress, Resolve(location), cancellationToken).ConfigureAwait(false);
                return TransferState.Complete;
            }

            await EnsureSuccessAsync(response, $"mount {digest} from {from}", cancellationToken).ConfigureAwait(false);
        }

        await UploadWithRetriesAsync(digest, size, open, progress, null, cancellationToken).ConfigureAwait(false);
        return TransferState.Complete;
    }

    private async Task UploadWithRetriesAsync(string digest, long size, Func<Stream> open, IProgress<TransferProgress>? progress, Uri? location, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                location ??= await StartUploadAsync(cancellationToken).ConfigureAwait(false);
                await UploadAsync(digest, size, open, progress, location, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && attempt < _transport.Options.MaxAttempts
                && (e is Containers.ContainerEngineException { ErrorId: "RegistryUnavailable" } || e is not Containers.ContainerEngineException && RegistryTransport.IsTransient(e)))
            {
                // A broken upload session is not resumed: a new one starts from byte 0.
                location = null;
                var delay = _transport.Backoff(attempt, null);
                _transport.Logger.LogWarning("{Registry}: upload of {Digest} failed ({Problem}); starting it again in {Delay} ms", Domain, digest, RegistryTransport.Describe(e), (int)delay.TotalMilliseconds);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<Uri> StartUploadAsync(CancellationToken cancellationToken)
    {
        using var response = await _transport.SendAsync(_host, () => new HttpRequestMessage(HttpMethod.Post, Url("blobs/uploads/")), _scopes, retry: true, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "start an upload", cancellationToken).ConfigureAwait(false);
        return response.Headers.Location is { } location ? Resolve(location) : throw RegistryErrors.BadResponse(Domain, "an upload was started without a Location.");
    }

    private async Task UploadAsync(string digest, long size, Func<Stream> open, IProgress<TransferProgress>? progress, Uri location, CancellationToken cancellationToken)
    {
        await using var source = open();
        var done = 0L;
        void Advanced(long position) => progress?.Report(new TransferProgress(digest, position, size, TransferState.Uploading));

        progress?.Report(new TransferProgress(digest, 0, size, TransferState.Uploading));
        if (size > _transport.Options.MonolithicUploadLimit)
        {
            var chunk = _transport.Options.UploadChunkSize;
            while (done < size)
            {
                var length = Math.Min(chunk, size - done);
                var start = done;
                using var patch = await _transport.SendAsync(_host, () =>
                {
                    var request = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new StreamSliceContent(source, start, length, Advanced) };
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                    request.Content.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{start + length - 1}");
                    return request;
                }, _scopes, retry: false, cancellationToken).ConfigureAwait(false);
                await EnsureSuccessAsync(patch, $"upload bytes {start}-{start + length - 1} of {digest}", cancellationToken).ConfigureAwait(false);
                location = patch.Headers.Location is { } next ? Resolve(next) : location;
                done += length;
            }

            using var put = await _transport.SendAsync(_host, () => new HttpRequestMessage(HttpMethod.Put, WithDigest(location, digest)) { Content = new ByteArrayContent([]) },
                _scopes, retry: false, cancellationToken).ConfigureAwait(false);
            await EnsureCreatedAsync(put, digest, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            using var put = await _transport.SendAsync(_host, () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Put, WithDigest(location, digest)) { Content = new StreamSliceContent(source, 0, size, Advanced) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                return request;
            }, _scopes, retry: false, cancellationToken).ConfigureAwait(false);
            await EnsureCreatedAsync(put, digest, cancellationToken).ConfigureAwait(false);
        }

        progress?.Report(new TransferProgress(digest, size, size, TransferState.Complete));
    }

    /// <summary>PUT /v2/NAME/manifests/REF; returns the digest the registry stored it under.</summary>
    public async Task<string> PutManifestAsync(string tagOrDigest, byte[] bytes, string mediaType, CancellationToken cancellationToken = default)
    {
        using var response = await _transport.SendAsync(_host, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Put, Url($"manifests/{tagOrDigest}")) { Content = new ByteArrayContent(bytes) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            return request;
        }, _scopes, retry: true, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var detail = await RegistryTransport.ErrorDetailAsync(response, cancellationToken).ConfigureAwait(false);
            if (RegistryTransport.HasCode(detail, "MANIFEST_BLOB_UNKNOWN") || RegistryTransport.HasCode(detail, "MANIFEST_UNKNOWN"))
            {
                throw RegistryErrors.ManifestUnknown($"{Name}:{tagOrDigest}", $"the registry refused the manifest because something it references is missing: {detail}");
            }

            throw RegistryErrors.BadResponse(Domain, $"PUT manifest {tagOrDigest} answered {detail}");
        }

        var digest = ComputeDigest("sha256", bytes);
        if (response.Headers.TryGetValues("Docker-Content-Digest", out var values) && values.FirstOrDefault() is { } stored && stored != digest
            && stored.StartsWith("sha256:", StringComparison.Ordinal))
        {
            throw RegistryErrors.DigestMismatch($"the manifest pushed to {Name}:{tagOrDigest}", digest, stored);
        }

        return digest;
    }

    internal static string ComputeDigest(string algorithm, ReadOnlySpan<byte> bytes) => algorithm switch
    {
        "sha512" => "sha512:" + Convert.ToHexStringLower(SHA512.HashData(bytes)),
        _ => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)),
    };

    private static IncrementalHash CreateHasher(string digest) =>
        IncrementalHash.CreateHash(digest.StartsWith("sha512:", StringComparison.Ordinal) ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256);

    private Uri Url(string relative) => _host.Url($"v2/{Path}/{relative}");

    private Uri Resolve(Uri location) => location.IsAbsoluteUri ? location : new Uri(_host.BaseUri, location);

    private static Uri WithDigest(Uri location, string digest)
    {
        var builder = new UriBuilder(location);
        var query = builder.Query.TrimStart('?');
        builder.Query = (query.Length > 0 ? query + "&" : "") + "digest=" + Uri.EscapeDataString(digest);
        return builder.Uri;
    }

    private static string MediaTypeOf(HttpResponseMessage response, byte[] bytes)
    {
        var type = response.Content.Headers.ContentType?.MediaType;
        if (type is not null && ManifestAcceptTypes.Contains(type))
        {
            return type;
        }

        // Some registries send application/json: the manifest's own mediaType field says what it is.
        try
        {
            using var json = JsonDocument.Parse(bytes);
            if (json.RootElement.TryGetProperty("mediaType", out var mediaType) && mediaType.GetString() is { Length: > 0 } fromBody)
            {
                return fromBody;
            }

            return json.RootElement.TryGetProperty("manifests", out _) ? ManifestAcceptTypes[0] : ManifestAcceptTypes[2];
        }
        catch (JsonException)
        {
            return type ?? "application/octet-stream";
        }
    }

    private static async Task<byte[]> ReadLimitedAsync(HttpResponseMessage response, int limit, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var memory = new MemoryStream();
        var buffer = new byte[65536];
        int n;
        while ((n = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            memory.Write(buffer, 0, n);
            if (memory.Length > limit)
            {
                // No Content-Length (or a lying one) must not let a registry fill memory: stop at the cap, as containerd does.
                throw RegistryErrors.BadResponse(response.RequestMessage?.RequestUri?.Authority ?? "", $"a manifest is larger than {limit} bytes.");
            }
        }

        return memory.ToArray();
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var detail = await RegistryTransport.ErrorDetailAsync(response, cancellationToken).ConfigureAwait(false);
        if (RegistryTransport.IsTransient(response.StatusCode))
        {
            throw RegistryErrors.Unavailable(Domain, $"{what} in {Path}: {detail}");
        }

        throw RegistryErrors.BadResponse(Domain, $"{what} in {Path}: {detail}");
    }

    private async Task EnsureCreatedAsync(HttpResponseMessage response, string digest, CancellationToken cancellationToken)
    {
        if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.NoContent or HttpStatusCode.OK)
        {
            return;
        }

        var detail = await RegistryTransport.ErrorDetailAsync(response, cancellationToken).ConfigureAwait(false);
        if (RegistryTransport.HasCode(detail, "DIGEST_INVALID"))
        {
            throw RegistryErrors.DigestMismatch($"the blob uploaded to {Name}", digest, "what the registry computed");
        }

        await EnsureSuccessAsync(response, $"finish the upload of {digest}", cancellationToken).ConfigureAwait(false);
        throw RegistryErrors.BadResponse(Domain, $"finishing the upload of {digest} answered {detail}");
    }
}
