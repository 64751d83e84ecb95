using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using PSContainers.Core.Images;

namespace PSContainers.Core.Registry;

/// <summary>
/// HTTP to registries: scheme discovery for insecure hosts, the /v2/ ping, WWW-Authenticate challenges (Bearer token
/// fetch with scopes, Basic, anonymous), token caching, and bounded retries with backoff on 5xx, 429, timeouts and
/// broken connections.
/// </summary>
internal sealed class RegistryTransport : IDisposable
{
    private readonly HttpClient _verified;
    private readonly HttpClient _unverified;
    private readonly ConcurrentDictionary<string, Lazy<Task<RegistryHost>>> _hosts = new(StringComparer.Ordinal);

    public RegistryTransport(RegistryClientOptions options, ILogger logger)
    {
        Options = options;
        Logger = logger;
        _verified = new HttpClient(NewHandler(verifyTls: true), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _unverified = new HttpClient(NewHandler(verifyTls: false), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public RegistryClientOptions Options { get; }

    public ILogger Logger { get; }

    public void Dispose()
    {
        _verified.Dispose();
        _unverified.Dispose();
    }

    /// <summary>The API endpoint of a registry name: Docker Hub's is registry-1.docker.io.</summary>
    public static string ApiAuthority(string domain) => domain == ImageReference.DockerHubDomain ? "registry-1.docker.io" : domain;

    /// <summary>The host's scheme, challenge and token cache; pings /v2/ once per host, credential and client.</summary>
    public Task<RegistryHost> GetHostAsync(string domain, bool insecure, RegistryCredential? credential, CancellationToken cancellationToken)
    {
        var key = $"{domain}|{insecure}|{credential?.UserName}|{credential?.Password.GetHashCode()}";
        var lazy = _hosts.GetOrAdd(key, _ => new Lazy<Task<RegistryHost>>(() => PingAsync(domain, insecure, credential, CancellationToken.None)));
        var task = lazy.Value;
        if (task.IsFaulted || task.IsCanceled)
        {
            // A failed ping is not cached: the next call tries again.
            _hosts.TryRemove(new KeyValuePair<string, Lazy<Task<RegistryHost>>>(key, lazy));
        }

        return task.WaitAsync(cancellationToken);
    }

    private async Task<RegistryHost> PingAsync(string domain, bool insecure, RegistryCredential? credential, CancellationToken cancellationToken)
    {
        var authority = ApiAuthority(domain);
        var schemes = insecure ? new[] { "https", "http" } : ["https"];
        Exception? last = null;
        foreach (var scheme in schemes)
        {
            var host = new RegistryHost(domain, new Uri($"{scheme}://{authority}/"), insecure, credential);
            HttpResponseMessage response;
            try
            {
                response = await SendRawAsync(host, () => new HttpRequestMessage(HttpMethod.Get, host.Url("v2/")), retry: true, cancellationToken, probe: scheme == "https" && insecure).ConfigureAwait(false);
            }
            catch (Exception e) when (scheme == "https" && insecure && IsTlsOrConnectFailure(e))
            {
                Logger.LogDebug("{Registry}: no HTTPS ({Problem}); trying plain HTTP", domain, e.Message);
                last = e;
                continue;
            }

            using (response)
            {
                if (response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    host.Challenges = AuthChallenge.Parse(string.Join(", ", response.Headers.WwwAuthenticate.Select(h => h.ToString())));
                    Logger.LogDebug("{Registry}: {Scheme}, challenge {Challenge}", domain, scheme, string.Join("; ", host.Challenges));
                    return host;
                }

                if (response.IsSuccessStatusCode)
                {
                    Logger.LogDebug("{Registry}: {Scheme}, anonymous access", domain, scheme);
                    return host;
                }

                if (scheme == "https" && insecure && response.StatusCode == HttpStatusCode.BadRequest)
                {
                    // An HTTP server that received a TLS handshake may answer 400 on a kept-open socket.
                    continue;
                }

                throw RegistryErrors.Unavailable(domain, $"GET /v2/ answered {(int)response.StatusCode} {response.ReasonPhrase}; this is not an OCI distribution registry.");
            }
        }

        throw RegistryErrors.Unavailable(domain, last?.Message ?? "no scheme worked", last);
    }

    /// <summary>
    /// Sends a request with the credentials the host asks for; on 401 it fetches a token for the scopes (or the
    /// scope the challenge names) and sends once more. A second 401 or a 403 is RegistryAuthenticationFailed.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(RegistryHost host, Func<HttpRequestMessage> create, IReadOnlyList<string> scopes, bool retry, CancellationToken cancellationToken)
    {
        var refreshed = false;
        while (true)
        {
            var authorization = await AuthorizationAsync(host, scopes, cancellationToken).ConfigureAwait(false);
            var response = await SendRawAsync(host, () =>
            {
                var request = create();
                request.Headers.Authorization = authorization;
                return request;
            }, retry, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden))
            {
                return response;
            }

            var detail = await ErrorDetailAsync(response, cancellationToken).ConfigureAwait(false);
            var challenges = AuthChallenge.Parse(string.Join(", ", response.Headers.WwwAuthenticate.Select(h => h.ToString())));
            response.Dispose();
            if (response.StatusCode == HttpStatusCode.Forbidden || refreshed || challenges.Count == 0)
            {
                throw RegistryErrors.AuthenticationFailed(host.Domain, host.Credential, detail);
            }

            // The registry may want a scope we did not ask for (or our token expired): learn and retry once.
            host.Challenges = challenges;
            host.ForgetToken(scopes);
            refreshed = true;
        }
    }

    /// <summary>A request without authentication logic: retries on transient failures when retry is set.</summary>
    public async Task<HttpResponseMessage> SendRawAsync(RegistryHost host, Func<HttpRequestMessage> create, bool retry, CancellationToken cancellationToken, bool probe = false)
    {
        var client = host.Insecure ? _unverified : _verified;
        for (var attempt = 1; ; attempt++)
        {
            using var request = create();
            request.Headers.UserAgent.ParseAdd(Options.UserAgent);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Options.ResponseTimeout);
            HttpResponseMessage response;
            try
            {
                response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsTransient(e))
            {
                if (probe && IsTlsOrConnectFailure(e))
                {
                    // Scheme discovery: the caller tries plain HTTP next, so no retries here.
                    throw;
                }

                if (!retry || attempt >= Options.MaxAttempts)
                {
                    throw RegistryErrors.Unavailable(host.Domain, $"{request.Method} {request.RequestUri?.AbsolutePath}: {Describe(e)} (after {attempt} tries)", e);
                }

                var delay = Backoff(attempt, null);
                Logger.LogWarning("{Registry}: {Method} {Path} failed ({Problem}); try {Attempt} of {Max} in {Delay} ms",
                    host.Domain, request.Method, request.RequestUri?.AbsolutePath, Describe(e), attempt + 1, Options.MaxAttempts, (int)delay.TotalMilliseconds);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (retry && IsTransient(response.StatusCode) && attempt < Options.MaxAttempts)
            {
                var delay = Backoff(attempt, response.Headers.RetryAfter);
                Logger.LogWarning("{Registry}: {Method} {Path} answered {Status}; try {Attempt} of {Max} in {Delay} ms",
                    host.Domain, request.Method, request.RequestUri?.AbsolutePath, (int)response.StatusCode, attempt + 1, Options.MaxAttempts, (int)delay.TotalMilliseconds);
                response.Dispose();
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                continue;
            }

            return response;
        }
    }

    /// <summary>The delay before try attempt+1: exponential with jitter, or the server's Retry-After within the cap.</summary>
    public TimeSpan Backoff(int attempt, RetryConditionHeaderValue? retryAfter)
    {
        if (retryAfter?.Delta is { } delta)
        {
            return delta < Options.MaxBackoff ? delta : Options.MaxBackoff;
        }

        var exponential = Options.InitialBackoff.TotalMilliseconds * Math.Pow(2, attempt - 1);
        var capped = Math.Min(exponential, Options.MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.75 + Random.Shared.NextDouble() * 0.5));
    }

    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway
            or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout or HttpStatusCode.RequestTimeout;

    public static bool IsTransient(Exception e) =>
        e is HttpRequestException or IOException or OperationCanceledException or SocketException or TimeoutException;

    public static string Describe(Exception e) => e switch
    {
        OperationCanceledException => "timed out",
        HttpRequestException { InnerException: { } inner } h => $"{h.Message} {inner.Message}",
        _ => e.Message,
    };

    /// <summary>The registry's own explanation from an error body ({"errors":[{"code","message"}]}), or the status line.</summary>
    public static async Task<string> ErrorDetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
        try
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (body.Length is > 0 and < 65536)
            {
                using var json = JsonDocument.Parse(body);
                if (json.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
                {
                    var parts = errors.EnumerateArray().Select(e =>
                        $"{(e.TryGetProperty("code", out var c) ? c.GetString() : "")}: {(e.TryGetProperty("message", out var m) ? m.GetString() : "")}");
                    return $"{status}, {string.Join("; ", parts)}";
                }
            }
        }
        catch (Exception e) when (e is JsonException or HttpRequestException or IOException or InvalidOperationException)
        {
            // Not a distribution error body: the status says enough.
        }

        return status;
    }

    /// <summary>The first error code of a distribution error body (MANIFEST_UNKNOWN, NAME_UNKNOWN, ...), from detail text.</summary>
    public static bool HasCode(string detail, string code) => detail.Contains(code + ":", StringComparison.Ordinal);

    private async Task<AuthenticationHeaderValue?> AuthorizationAsync(RegistryHost host, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        var bearer = host.Challenges.FirstOrDefault(c => c.IsBearer);
        if (bearer is not null)
        {
            var token = await host.GetTokenAsync(scopes, () => FetchTokenAsync(host, bearer, scopes, cancellationToken)).ConfigureAwait(false);
            return new AuthenticationHeaderValue("Bearer", token);
        }

        if (host.Challenges.Any(c => c.IsBasic))
        {
            if (host.Credential is null)
            {
                throw RegistryErrors.AuthenticationFailed(host.Domain, null, "it asks for Basic authentication");
            }

            return new AuthenticationHeaderValue("Basic", host.Credential.EncodedAuth);
        }

        return null;
    }

    private async Task<(string Token, TimeSpan Lifetime)> FetchTokenAsync(RegistryHost host, AuthChallenge bearer, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        var realm = bearer["realm"];
        if (string.IsNullOrEmpty(realm) || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri) || realmUri.Scheme is not ("https" or "http"))
        {
            throw RegistryErrors.BadResponse(host.Domain, $"its Bearer challenge has no usable realm (\"{realm}\").");
        }

        var service = bearer["service"];
        var allScopes = scopes.ToList();
        if (bearer["scope"] is { Length: > 0 } challengeScope && !allScopes.Contains(challengeScope))
        {
            allScopes.Add(challengeScope);
        }

        var credential = host.Credential;
        var tokenHost = new RegistryHost(realmUri.Authority, new Uri(realmUri.GetLeftPart(UriPartial.Authority) + "/"), host.Insecure, credential);
        Func<HttpRequestMessage> create;
        if (credential?.IdentityToken is { } refreshToken)
        {
            // OAuth2 refresh-token grant, as docker login stores for some registries.
            var form = new List<KeyValuePair<string, string>>
            {
                new("grant_type", "refresh_token"),
                new("refresh_token", refreshToken),
                new("client_id", "pscontainers"),
                new("scope", string.Join(' ', allScopes)),
            };
            if (service is not null)
            {
                form.Add(new("service", service));
            }

            create = () => new HttpRequestMessage(HttpMethod.Post, realmUri) { Content = new FormUrlEncodedContent(form) };
        }
        else
        {
            var query = new StringBuilder(realmUri.Query.Length > 1 ? realmUri.Query[1..] + "&" : "");
            if (service is not null)
            {
                query.Append("service=").Append(Uri.EscapeDataString(service)).Append('&');
            }

            foreach (var scope in allScopes)
            {
                query.Append("scope=").Append(Uri.EscapeDataString(scope)).Append('&');
            }

            if (credential is not null)
            {
                query.Append("account=").Append(Uri.EscapeDataString(credential.UserName)).Append('&');
            }

            var uri = new UriBuilder(realmUri) { Query = query.ToString().TrimEnd('&') }.Uri;
            create = () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, uri);
                if (credential is not null)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credential.EncodedAuth);
                }

                return request;
            };
        }

        using var response = await SendRawAsync(tokenHost, create, retry: true, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            var detail = await ErrorDetailAsync(response, cancellationToken).ConfigureAwait(false);
            throw RegistryErrors.AuthenticationFailed(host.Domain, credential, $"its token service {realmUri.Authority} answered {detail}");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw RegistryErrors.Unavailable(host.Domain, $"its token service {realmUri.Authority} answered {await ErrorDetailAsync(response, cancellationToken).ConfigureAwait(false)}");
        }

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        var root = json.RootElement;
        var token = root.TryGetProperty("token", out var t) && t.GetString() is { Length: > 0 } tokenText ? tokenText
            : root.TryGetProperty("access_token", out var a) && a.GetString() is { Length: > 0 } accessText ? accessText
            : throw RegistryErrors.BadResponse(host.Domain, "its token service returned no token.");
        // The spec's default lifetime is 60 s; tokens are refreshed 10 s before they expire.
        var seconds = root.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var s) && s > 0 ? s : 60;
        Logger.LogDebug("{Registry}: token for {Scopes}, {Seconds} s", host.Domain, string.Join(" ", allScopes), seconds);
        return (token, TimeSpan.FromSeconds(seconds));
    }

    private static bool IsTlsOrConnectFailure(Exception e) =>
        e is HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError or HttpRequestError.ConnectionError or HttpRequestError.InvalidResponse }
            || e.InnerException is AuthenticationException or IOException;

    private SocketsHttpHandler NewHandler(bool verifyTls)
    {
        var handler = new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 10,
            ConnectTimeout = Options.ResponseTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            UseCookies = false,
        };
        if (!verifyTls)
        {
            // Only for hosts the registries file (or loopback) makes insecure, as --tls-verify=false does.
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }

        return handler;
    }
}
