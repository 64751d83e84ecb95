using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PSContainers.Core.Images;

namespace PSContainers.Core.Registry;

/// <summary>
/// The OCI distribution client: opens repositories on registries with the credentials and insecure settings the
/// registries file and auth.json give, and checks logins. Keep one per operation; it pools connections and tokens.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    private readonly RegistryTransport _transport;

    public RegistryClient(RegistriesConfig? registries = null, RegistryAuthFile? authFile = null, RegistryClientOptions? options = null, ILogger? logger = null)
    {
        Registries = registries ?? RegistriesConfig.Empty;
        AuthFile = authFile;
        Options = options ?? RegistryClientOptions.Default;
        _transport = new RegistryTransport(Options, logger ?? NullLogger.Instance);
    }

    public RegistriesConfig Registries { get; }

    /// <summary>Where stored logins are looked up; null for none.</summary>
    public RegistryAuthFile? AuthFile { get; }

    public RegistryClientOptions Options { get; }

    public void Dispose() => _transport.Dispose();

    /// <summary>
    /// Opens the reference's repository (registry and path; tag and digest are ignored) for pulls, or pulls and pushes.
    /// The credential is the one given, else auth.json's for the repository, else none.
    /// </summary>
    public async Task<RegistryRepository> OpenAsync(ImageReference reference, bool insecure, bool push, RegistryCredential? credential = null, CancellationToken cancellationToken = default)
    {
        credential ??= AuthFile?.Find(reference.Domain, reference.Path);
        var host = await _transport.GetHostAsync(reference.Domain, insecure || Registries.IsInsecure(reference.Domain), credential, cancellationToken).ConfigureAwait(false);
        return new RegistryRepository(_transport, host, reference.Path, push);
    }

    /// <summary>
    /// Checks that the registry accepts the credential, as docker login does: GET /v2/ with Basic, or a token without a
    /// scope from a Bearer realm. A registry that asks for nothing accepts any login.
    /// </summary>
    /// <exception cref="Containers.ContainerEngineException">RegistryAuthenticationFailed, RegistryUnavailable.</exception>
    public async Task VerifyLoginAsync(string registry, RegistryCredential credential, CancellationToken cancellationToken = default)
    {
        var host = await _transport.GetHostAsync(registry, Registries.IsInsecure(registry), credential, cancellationToken).ConfigureAwait(false);
        if (host.Challenges.Count == 0)
        {
            _transport.Logger.LogWarning("{Registry} allows anonymous access: the login was not checked", registry);
            return;
        }

        using var response = await _transport.SendAsync(host, () => new HttpRequestMessage(HttpMethod.Get, host.Url("v2/")), [], retry: true, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw RegistryErrors.Unavailable(registry, $"GET /v2/ with the login answered {await RegistryTransport.ErrorDetailAsync(response, cancellationToken).ConfigureAwait(false)}");
        }
    }
}
