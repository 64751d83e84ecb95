using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PSContainers.Core.Containers;
using PSContainers.Core.Images;
using PSContainers.Native;

namespace PSContainers.Core.Registry;

/// <summary>
/// Registry credentials in the auth.json format docker and podman share: <c>{"auths":{"host[/repo]":{"auth":"base64(user:pass)"}}}</c>.
/// </summary>
/// <remarks>
/// The file written is podman's: $REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json, else
/// /run/containers/UID/auth.json, so skopeo and podman without --authfile see our logins. Lookups also read podman's
/// ~/.config/containers/auth.json and Docker's $DOCKER_CONFIG/config.json (~/.docker/config.json), in that order, as
/// podman does. Keys are a registry host or host/repository (the longest matching key wins); Docker Hub's legacy
/// key https://index.docker.io/v1/ counts as docker.io. Credential helpers (credHelpers, credsStore) are not run.
/// </remarks>
public sealed class RegistryAuthFile
{
    public const string AuthFileVariable = "REGISTRY_AUTH_FILE";

    public RegistryAuthFile(string path, IReadOnlyList<string>? fallbacks = null)
    {
        Path = System.IO.Path.GetFullPath(path);
        Fallbacks = fallbacks ?? [];
    }

    /// <summary>The file logins are written to (and read first).</summary>
    public string Path { get; }

    /// <summary>Files read after <see cref="Path"/> when it has no entry for a registry.</summary>
    public IReadOnlyList<string> Fallbacks { get; }

    /// <summary>The file podman would use, with podman's and Docker's user files as fallbacks.</summary>
    public static RegistryAuthFile FromEnvironment()
    {
        var explicitFile = Environment.GetEnvironmentVariable(AuthFileVariable);
        var fallbacks = new List<string>();
        var home = Environment.GetEnvironmentVariable("HOME");
        if (!string.IsNullOrEmpty(home))
        {
            fallbacks.Add(System.IO.Path.Combine(home, ".config", "containers", "auth.json"));
        }

        var dockerConfig = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
        if (!string.IsNullOrEmpty(dockerConfig))
        {
            fallbacks.Add(System.IO.Path.Combine(dockerConfig, "config.json"));
        }
        else if (!string.IsNullOrEmpty(home))
        {
            fallbacks.Add(System.IO.Path.Combine(home, ".docker", "config.json"));
        }

        if (!string.IsNullOrEmpty(explicitFile))
        {
            // podman and skopeo read only the named file when REGISTRY_AUTH_FILE is set.
            return new RegistryAuthFile(explicitFile);
        }

        var runtimeDir = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        var dir = string.IsNullOrEmpty(runtimeDir) ? $"/run/containers/{Libc.GetEuid()}" : System.IO.Path.Combine(runtimeDir, "containers");
        return new RegistryAuthFile(System.IO.Path.Combine(dir, "auth.json"), fallbacks);
    }

    /// <summary>The credential for a repository (host/path), from the most specific key of the first file that has one.</summary>
    public RegistryCredential? Find(string registry, string? repositoryPath = null)
    {
        foreach (var file in new[] { Path }.Concat(Fallbacks))
        {
            var auths = ReadAuths(file);
            if (auths is null)
            {
                continue;
            }

            var best = auths
                .Select(pair => (Key: NormalizeKey(pair.Key), Value: pair.Value))
                .Where(pair => Matches(pair.Key, registry, repositoryPath))
                .OrderByDescending(pair => pair.Key.Length)
                .FirstOrDefault();
            if (best.Key is not null && best.Value is JsonObject entry && Decode(entry, file) is { } credential)
            {
                return credential;
            }
        }

        return null;
    }

    /// <summary>Stores a login under key (a registry host or host/repository) in <see cref="Path"/>, keeping everything else in it.</summary>
    public void Store(string key, RegistryCredential credential)
    {
        key = StoreKey(key);
        var document = ReadDocument(Path) ?? new JsonObject();
        if (document["auths"] is not JsonObject auths)
        {
            auths = new JsonObject();
            document["auths"] = auths;
        }

        auths[key] = new JsonObject { ["auth"] = credential.EncodedAuth };
        Write(document);
    }

    /// <summary>Removes the login stored under key; false when there was none.</summary>
    public bool Remove(string key)
    {
        key = StoreKey(key);
        var document = ReadDocument(Path);
        if (document?["auths"] is not JsonObject auths)
        {
            return false;
        }

        var match = auths.Select(p => p.Key).FirstOrDefault(k => NormalizeKey(k) == key);
        if (match is null)
        {
            return false;
        }

        auths.Remove(match);
        Write(document);
        return true;
    }

    /// <summary>The keys logged in to in <see cref="Path"/>.</summary>
    public IReadOnlyList<string> Keys() =>
        ReadAuths(Path)?.Select(p => NormalizeKey(p.Key)).ToList() ?? [];

    /// <summary>A registry host or host/repository path valid as a key; Docker Hub's aliases become docker.io.</summary>
    public static string NormalizeKey(string key)
    {
        var trimmed = key;
        var scheme = trimmed.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            // Docker writes "https://index.docker.io/v1/": a URL whose path is an API version, not a repository.
            trimmed = trimmed[(scheme + 3)..];
            var slash = trimmed.IndexOf('/');
            if (slash >= 0)
            {
                trimmed = trimmed[..slash];
            }
        }

        trimmed = trimmed.TrimEnd('/');
        var host = trimmed.IndexOf('/') is var i and >= 0 ? trimmed[..i] : trimmed;
        var rest = trimmed[host.Length..];
        if (host is "index.docker.io" or "registry-1.docker.io")
        {
            host = ImageReference.DockerHubDomain;
        }

        return host + rest;
    }

    private static bool Matches(string key, string registry, string? repositoryPath)
    {
        if (key == registry)
        {
            return true;
        }

        if (repositoryPath is null || !key.StartsWith(registry + "/", StringComparison.Ordinal))
        {
            return false;
        }

        var keyPath = key[(registry.Length + 1)..];
        return repositoryPath == keyPath || repositoryPath.StartsWith(keyPath + "/", StringComparison.Ordinal);
    }

    private static RegistryCredential? Decode(JsonObject entry, string file)
    {
        var identityToken = entry["identitytoken"]?.GetValue<string>();
        var auth = entry["auth"]?.GetValue<string>();
        if (string.IsNullOrEmpty(auth))
        {
            return null;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
        }
        catch (FormatException e)
        {
            throw Invalid(file, "an \"auth\" value is not base64.", e);
        }

        var colon = decoded.IndexOf(':');
        if (colon < 0)
        {
            throw Invalid(file, "an \"auth\" value does not decode to user:password.");
        }

        return new RegistryCredential(decoded[..colon], decoded[(colon + 1)..], string.IsNullOrEmpty(identityToken) ? null : identityToken, file);
    }

    /// <summary>The key a login for a registry host or host/repository is stored under (docker.io/busybox: docker.io/library/busybox).</summary>
    public static string StoreKey(string registryOrRepository)
    {
        var key = NormalizeKey(registryOrRepository);
        if (!key.Contains('/'))
        {
            if (ImageReference.TryParse(key + "/x", out var host, out _) && !host.IsShortName && host.Domain == key)
            {
                return key;
            }
        }
        else if (ImageReference.TryParse(key, out var repository, out _) && !repository.IsShortName && repository.Digest is null
            && repository.Tag == ImageReference.DefaultTag && !key.EndsWith(":" + ImageReference.DefaultTag, StringComparison.Ordinal))
        {
            return repository.Repository;
        }

        throw new ContainerEngineException("InvalidArgument",
            $"\"{registryOrRepository}\" is not a registry host[:port] or host[:port]/repository to store a login for.", ContainerErrorKind.InvalidArgument, registryOrRepository);
    }

    private static JsonObject? ReadAuths(string file) => ReadDocument(file)?["auths"] as JsonObject;

    private static JsonObject? ReadDocument(string file)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw Invalid(file, "it is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw Invalid(file, $"it is not valid JSON: {e.Message}", e);
        }
    }

    private void Write(JsonObject document)
    {
        var dir = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var temp = $"{Path}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                // Passwords: readable by the owner alone, as podman writes the file.
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            };
            using (var stream = new FileStream(temp, options))
            {
                using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
                document.WriteTo(writer);
                writer.Flush();
                stream.WriteByte((byte)'\n');
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, Path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private static ContainerEngineException Invalid(string file, string problem, Exception? inner = null) =>
        new("InvalidAuthFile", $"The registry auth file {file} cannot be read: {problem} Fix or remove it.", ContainerErrorKind.InvalidArgument, file, inner);
}
