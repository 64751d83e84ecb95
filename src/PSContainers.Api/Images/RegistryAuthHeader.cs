using System.Text;
using System.Text.Json;
using PSContainers.Core.Registry;

namespace PSContainers.Api.Images;

/// <summary>
/// docker's X-Registry-Auth header: base64url (padded or not) of a JSON auth config (username and password, an
/// "auth" of base64 user:password, or an identitytoken). The credential it holds is used for that one pull or push.
/// </summary>
internal static class RegistryAuthHeader
{
    public const string HeaderName = "X-Registry-Auth";

    /// <summary>The credential in the header; null when there is none (no header, "{}", empty fields): the engine's own logins apply then.</summary>
    public static RegistryCredential? Decode(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        JsonElement json;
        try
        {
            json = JsonDocument.Parse(Base64(header)).RootElement;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw ApiException.BadRequest($"{HeaderName}: not base64-encoded JSON ({e.Message})");
        }

        return FromJson(json, HeaderName);
    }

    /// <summary>One auth config object (X-Registry-Auth's, or an entry of X-Registry-Config's map); null when it holds no login.</summary>
    internal static RegistryCredential? FromJson(JsonElement json, string source)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw ApiException.BadRequest($"{source}: the auth config must be a JSON object");
        }

        var user = Text(json, "username");
        var password = Text(json, "password");
        var token = Text(json, "identitytoken");
        if (Text(json, "registrytoken") is { Length: > 0 })
        {
            throw ApiException.BadRequest($"{source}: registrytoken (a bearer token given directly) is not supported; send username and password or an identitytoken");
        }

        if (Text(json, "auth") is { Length: > 0 } auth && string.IsNullOrEmpty(user))
        {
            string pair;
            try
            {
                pair = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
            }
            catch (FormatException)
            {
                throw ApiException.BadRequest($"{source}: \"auth\" is not base64 of user:password");
            }

            var colon = pair.IndexOf(':');
            if (colon <= 0)
            {
                throw ApiException.BadRequest($"{source}: \"auth\" is not base64 of user:password");
            }

            user = pair[..colon];
            password = pair[(colon + 1)..];
        }

        if (string.IsNullOrEmpty(user) && string.IsNullOrEmpty(token))
        {
            return null;
        }

        return new RegistryCredential(user ?? "", password ?? "", string.IsNullOrEmpty(token) ? null : token, source);
    }

    /// <summary>
    /// X-Registry-Config: the client's logins for a build's FROM pulls, a map of registry (as the docker CLI's config
    /// keys them: "127.0.0.1:5000", "https://index.docker.io/v1/") to auth config, by registry host.
    /// </summary>
    public static Dictionary<string, RegistryCredential> DecodeConfig(string? header)
    {
        var logins = new Dictionary<string, RegistryCredential>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(header))
        {
            return logins;
        }

        JsonElement json;
        try
        {
            json = JsonDocument.Parse(Base64(header)).RootElement;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw ApiException.BadRequest($"X-Registry-Config: not base64-encoded JSON ({e.Message})");
        }

        if (json.ValueKind != JsonValueKind.Object)
        {
            throw ApiException.BadRequest("X-Registry-Config: expected a JSON object of registry to auth config");
        }

        foreach (var entry in json.EnumerateObject())
        {
            if (FromJson(entry.Value, "X-Registry-Config") is { } credential)
            {
                logins[RegistryHost(entry.Name)] = credential;
            }
        }

        return logins;
    }

    /// <summary>"https://index.docker.io/v1/" → docker.io, "http://127.0.0.1:5000/" → 127.0.0.1:5000: the domain an image reference names.</summary>
    internal static string RegistryHost(string key)
    {
        var host = key.Trim();
        var scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            host = host[(scheme + 3)..];
        }

        var slash = host.IndexOf('/');
        if (slash >= 0)
        {
            host = host[..slash];
        }

        return host is "index.docker.io" or "registry-1.docker.io" or "registry.hub.docker.com" ? "docker.io" : host;
    }

    /// <summary>The bytes of base64 or base64url text, with or without padding (docker sends base64url; older clients sent std).</summary>
    internal static byte[] Base64(string text)
    {
        var s = text.Trim().Replace('-', '+').Replace('_', '/');
        s = s.PadRight(s.Length + ((4 - s.Length % 4) % 4), '=');
        return Convert.FromBase64String(s);
    }

    private static string? Text(JsonElement json, string name)
    {
        foreach (var property in json.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
            }
        }

        return null;
    }
}
