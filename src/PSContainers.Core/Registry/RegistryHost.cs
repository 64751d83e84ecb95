using System.Collections.Concurrent;

namespace PSContainers.Core.Registry;

/// <summary>What the client knows about one registry endpoint: its base URL, its auth challenge and tokens by scope.</summary>
internal sealed class RegistryHost
{
    private static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<string, Lazy<Task<(string Token, DateTimeOffset Expires)>>> _tokens = new(StringComparer.Ordinal);

    public RegistryHost(string domain, Uri baseUri, bool insecure, RegistryCredential? credential)
    {
        Domain = domain;
        BaseUri = baseUri;
        Insecure = insecure;
        Credential = credential;
    }

    /// <summary>The registry as references name it (docker.io, localhost:5000).</summary>
    public string Domain { get; }

    /// <summary>scheme://authority/ of the API.</summary>
    public Uri BaseUri { get; }

    public bool Insecure { get; }

    public RegistryCredential? Credential { get; }

    /// <summary>What the last 401 asked for; empty when the registry allows anonymous access.</summary>
    public IReadOnlyList<AuthChallenge> Challenges { get; set; } = [];

    public Uri Url(string relative) => new(BaseUri, relative);

    /// <summary>A cached token for these scopes, or one fetched once for all concurrent callers.</summary>
    public async Task<string> GetTokenAsync(IReadOnlyList<string> scopes, Func<Task<(string Token, TimeSpan Lifetime)>> fetch)
    {
        var key = Key(scopes);
        while (true)
        {
            var lazy = _tokens.GetOrAdd(key, _ => new Lazy<Task<(string, DateTimeOffset)>>(async () =>
            {
                var (token, lifetime) = await fetch().ConfigureAwait(false);
                return (token, DateTimeOffset.UtcNow + lifetime - ExpiryMargin);
            }));
            (string Token, DateTimeOffset Expires) entry;
            try
            {
                entry = await lazy.Value.ConfigureAwait(false);
            }
            catch
            {
                _tokens.TryRemove(new KeyValuePair<string, Lazy<Task<(string, DateTimeOffset)>>>(key, lazy));
                throw;
            }

            if (entry.Expires > DateTimeOffset.UtcNow)
            {
                return entry.Token;
            }

            _tokens.TryRemove(new KeyValuePair<string, Lazy<Task<(string, DateTimeOffset)>>>(key, lazy));
        }
    }

    public void ForgetToken(IReadOnlyList<string> scopes) => _tokens.TryRemove(Key(scopes), out _);

    private static string Key(IReadOnlyList<string> scopes) => string.Join(' ', scopes.Order(StringComparer.Ordinal));
}
