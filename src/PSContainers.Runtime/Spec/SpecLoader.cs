using System.Text.Json;
using System.Text.RegularExpressions;

namespace PSContainers.Runtime.Spec;

/// <summary>Reads a bundle's config.json and checks what the runtime relies on before it touches the kernel.</summary>
public static partial class SpecLoader
{
    public const string ConfigFileName = "config.json";

    // Reads BUNDLE/config.json, validates it and makes root.path absolute against the bundle.
    public static Spec Load(string bundleDir) => Load(bundleDir, out _);

    // As Load, also handing back the text as read, so it can be stored without serializing the model again.
    public static Spec Load(string bundleDir, out string text)
    {
        var bundle = Path.GetFullPath(bundleDir);
        var configPath = Path.Combine(bundle, ConfigFileName);
        string json;
        try
        {
            json = File.ReadAllText(configPath);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new SpecException($"{configPath} does not exist: a bundle needs a config.json (`pscrun spec` writes one).", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SpecException($"cannot read {configPath}: {e.Message}", e);
        }

        var spec = Parse(json, configPath);
        spec.Root!.Path = Path.GetFullPath(spec.Root.Path, bundle);
        text = json;
        return spec;
    }

    // Parses and validates a config.json text; root.path is left as written.
    public static Spec Parse(string json) => Parse(json, ConfigFileName);

    public static Spec Parse(string json, string sourceName)
    {
        Spec? spec;
        try
        {
            spec = SpecFastReader.TryRead(json) ?? JsonSerializer.Deserialize(json, SpecJsonContext.Default.Spec);
        }
        catch (JsonException e)
        {
            // JsonException names the JSON path and line, which is what a user needs to find the typo.
            throw new SpecException($"{sourceName} is not a valid OCI config: {e.Message}", e);
        }
        if (spec is null)
        {
            throw new SpecException($"{sourceName} holds null instead of a JSON object.");
        }
        Validate(spec, sourceName);
        return spec;
    }

    public static string Serialize(Spec spec) => JsonSerializer.Serialize(spec, SpecJsonContext.Default.Spec);

    // Throws a SpecException naming the first problem the runtime cannot work around.
    public static void Validate(Spec spec, string sourceName = ConfigFileName)
    {
        ValidateVersion(spec.OciVersion, sourceName);

        if (spec.Root is null || string.IsNullOrEmpty(spec.Root.Path))
        {
            throw new SpecException($"{sourceName}: root.path is missing; set it to the rootfs directory, e.g. \"root\": {{\"path\": \"rootfs\"}}.");
        }

        if (spec.Process is { } process)
        {
            if (process.Args is null || process.Args.Count == 0 || string.IsNullOrEmpty(process.Args[0]))
            {
                throw new SpecException($"{sourceName}: process.args is empty; it must name the program to run, e.g. [\"sh\"].");
            }
            if (!string.IsNullOrEmpty(process.Cwd) && !process.Cwd.StartsWith('/'))
            {
                throw new SpecException($"{sourceName}: process.cwd \"{process.Cwd}\" is not absolute; use a path that starts with '/'.");
            }
        }

        if (spec.Mounts is { } mounts)
        {
            for (var i = 0; i < mounts.Count; i++)
            {
                if (!mounts[i].Destination.StartsWith('/'))
                {
                    throw new SpecException($"{sourceName}: mounts[{i}].destination \"{mounts[i].Destination}\" is not absolute; mount destinations must start with '/'.");
                }
            }
        }

        ValidateNamespaces(spec.Linux, sourceName);
    }

    private static void ValidateVersion(string version, string sourceName)
    {
        if (string.IsNullOrEmpty(version))
        {
            throw new SpecException($"{sourceName}: ociVersion is missing; set it to the runtime-spec version the config follows, e.g. \"1.2.0\".");
        }
        if (!SupportedVersion().IsMatch(version))
        {
            throw new SpecException($"{sourceName}: ociVersion \"{version}\" is not supported; this runtime reads configs of version 1.0.x to 1.3.x.");
        }
    }

    private static void ValidateNamespaces(Linux? linux, string sourceName)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        LinuxNamespace? user = null;
        foreach (var ns in linux?.Namespaces ?? [])
        {
            if (!LinuxNamespaceType.IsKnown(ns.Type))
            {
                throw new SpecException($"{sourceName}: unknown namespace type \"{ns.Type}\" in linux.namespaces; known types are {string.Join(", ", LinuxNamespaceType.All)}.");
            }
            if (!seen.Add(ns.Type))
            {
                throw new SpecException($"{sourceName}: namespace \"{ns.Type}\" appears more than once in linux.namespaces; keep one entry.");
            }
            if (ns.Path is { Length: > 0 } path && !path.StartsWith('/'))
            {
                throw new SpecException($"{sourceName}: path \"{path}\" of the {ns.Type} namespace is not absolute.");
            }
            if (ns.Type == LinuxNamespaceType.User)
            {
                user = ns;
            }
        }

        var hasMappings = (linux?.UidMappings?.Count ?? 0) > 0 || (linux?.GidMappings?.Count ?? 0) > 0;
        if (user is not null && string.IsNullOrEmpty(user.Path)
            && ((linux!.UidMappings?.Count ?? 0) == 0 || (linux.GidMappings?.Count ?? 0) == 0))
        {
            throw new SpecException($"{sourceName}: a new user namespace needs linux.uidMappings and linux.gidMappings (or a namespace path to join an existing one).");
        }
        if (user is null && hasMappings)
        {
            // Mappings without a user namespace would be silently ignored, leaving the container more privileged than intended.
            throw new SpecException($"{sourceName}: linux.uidMappings/gidMappings are set but linux.namespaces has no \"user\" entry; add one or remove the mappings.");
        }
    }

    // Pre-release and build suffixes are allowed because runc writes "1.0.2-dev".
    [GeneratedRegex(@"^1\.[0-3]\.\d+([-+][0-9A-Za-z.+-]*)?$")]
    private static partial Regex SupportedVersion();
}
