using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using PSContainers.Core.Containers;

namespace PSContainers.Core.Volumes;

/// <summary>Parses docker's mount syntaxes: -v/--volume SRC:DST[:MODE], --mount's CSV key=value list, and --tmpfs DST[:OPTIONS].</summary>
/// <remarks>
/// Pure: no file system access except the existence check of bind sources done later by the engine. Errors carry docker's
/// wording where docker has one, so a message a user searches for finds docker's explanation too.
/// </remarks>
public static partial class MountSpecParser
{
    private static readonly HashSet<string> Propagations = new(StringComparer.Ordinal) { "private", "rprivate", "shared", "rshared", "slave", "rslave" };

    private static readonly HashSet<string> Consistencies = new(StringComparer.Ordinal) { "consistent", "cached", "delegated", "default" };

    // What tmpfs(5) takes as data; flag words (ro, exec, nosuid, ...) are checked against the mount flags instead.
    private static readonly HashSet<string> TmpfsDataKeys = new(StringComparer.Ordinal)
    {
        "size", "mode", "uid", "gid", "nr_inodes", "nr_blocks", "mpol", "huge", "inode64", "inode32", "noswap", "quota", "usrquota", "grpquota",
        "usrquota_block_hardlimit", "usrquota_inode_hardlimit", "grpquota_block_hardlimit", "grpquota_inode_hardlimit",
    };

    private static readonly HashSet<string> TmpfsFlagWords = new(StringComparer.Ordinal)
    {
        "ro", "rw", "nosuid", "suid", "nodev", "dev", "noexec", "exec", "sync", "async", "dirsync", "noatime", "atime", "nodiratime", "diratime",
        "relatime", "norelatime", "strictatime", "nostrictatime", "lazytime", "nolazytime", "nosymfollow", "symfollow", "defaults",
        "private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable", "tmpcopyup", "notmpcopyup",
    };

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")]
    private static partial Regex VolumeNamePattern();

    [GeneratedRegex(@"^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$")]
    private static partial Regex SizePattern();

    /// <summary>Whether a name is a valid local volume name (docker's rule: [a-zA-Z0-9][a-zA-Z0-9_.-]+).</summary>
    public static bool IsValidVolumeName(string name) => VolumeNamePattern().IsMatch(name);

    public static void ValidateVolumeName(string name)
    {
        if (!IsValidVolumeName(name))
        {
            throw ContainerEngineException.Invalid(
                $"\"{name}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed (at least two characters). If you intended to pass a host directory, use an absolute path (or one starting with ./).", name);
        }
    }

    /// <summary>-Volume [SRC:]DST[:MODE]: SRC an absolute (or ./relative) host path makes a bind, a name a named volume, none an anonymous volume.</summary>
    /// <param name="text">The -Volume value.</param>
    /// <param name="baseDirectory">What ./relative and ~ sources resolve against (PowerShell's current location); null refuses them.</param>
    /// <param name="homeDirectory">What a leading ~ means.</param>
    public static MountRequest ParseVolume(string text, string? baseDirectory = null, string? homeDirectory = null)
    {
        var origin = $"-Volume '{text}'";
        if (string.IsNullOrWhiteSpace(text))
        {
            throw ContainerEngineException.Invalid("Invalid empty volume specification: give -Volume [SOURCE:]DESTINATION[:MODE].", text);
        }

        var parts = text.Split(':');
        var request = new MountRequest { Origin = origin };
        string mode;
        switch (parts.Length)
        {
            case 1:
                request.Target = parts[0];
                mode = "";
                break;
            case 2:
                if (parts[1].Length > 0 && IsValidMode(parts[1], out _))
                {
                    // docker: a destination and a mode without a source is not a volume (/foo:rw).
                    throw InvalidSpec(text, "a mode needs a source before the destination");
                }

                request.Source = parts[0];
                request.Target = parts[1];
                mode = "";
                break;
            case 3:
                request.Source = parts[0];
                request.Target = parts[1];
                mode = parts[2];
                break;
            default:
                throw InvalidSpec(text, "use [SOURCE:]DESTINATION[:MODE]");
        }

        if (parts.Length > 1 && request.Source.Length == 0)
        {
            throw InvalidSpec(text, "the source before ':' is empty");
        }

        if (!IsValidMode(mode, out var why))
        {
            throw ContainerEngineException.Invalid($"Invalid mode \"{mode}\" in {origin}: {why}.", text);
        }

        var source = ResolveHostPath(request.Source, baseDirectory, homeDirectory, origin);
        request.Type = source.StartsWith('/') ? MountTypes.Bind : MountTypes.Volume;
        request.Source = source;
        request.Mode = mode;
        foreach (var word in mode.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (word == "ro")
            {
                request.ReadOnly = true;
            }
            else if (word == "nocopy")
            {
                if (request.Type != MountTypes.Volume)
                {
                    throw ContainerEngineException.Invalid($"Invalid mode \"{mode}\" in {origin}: nocopy applies to volumes, not to a bind of a host path.", text);
                }

                request.NoCopy = true;
            }
            else if (Propagations.Contains(word))
            {
                if (request.Type != MountTypes.Bind)
                {
                    throw ContainerEngineException.Invalid($"Invalid mode \"{mode}\" in {origin}: propagation ({word}) applies to binds of host paths, not to volumes.", text);
                }

                request.Propagation = word;
            }
        }

        if (request.Type == MountTypes.Volume && request.Source.Length > 0)
        {
            ValidateVolumeName(request.Source);
        }

        ValidateTarget(request);
        return request;
    }

    /// <summary>-Mount type=…,source=…,target=…: docker's CSV syntax (quoted fields with "" escapes), keys case-insensitive, unknown keys refused.</summary>
    public static MountRequest ParseMount(string text, string? baseDirectory = null, string? homeDirectory = null)
    {
        var origin = $"-Mount '{text}'";
        var fields = SplitCsv(text, origin);
        var request = new MountRequest { Origin = origin };
        bool? volumeOptions = null, bindOptions = null, tmpfsOptions = null;
        long? size = null;
        uint? fileMode = null;
        foreach (var field in fields)
        {
            var eq = field.IndexOf('=');
            var key = (eq < 0 ? field : field[..eq]).ToLowerInvariant();
            var value = eq < 0 ? null : field[(eq + 1)..];
            if (value is null)
            {
                switch (key)
                {
                    case "readonly" or "ro":
                        request.ReadOnly = true;
                        continue;
                    case "volume-nocopy":
                        request.NoCopy = true;
                        volumeOptions = true;
                        continue;
                    case "bind-nonrecursive":
                        request.NonRecursive = true;
                        bindOptions = true;
                        continue;
                    default:
                        throw ContainerEngineException.Invalid($"Invalid field '{field}' in {origin}: it must be a key=value pair.", text);
                }
            }

            switch (key)
            {
                case "type":
                    request.Type = value.ToLowerInvariant();
                    if (request.Type is not (MountTypes.Bind or MountTypes.Volume or MountTypes.Tmpfs))
                    {
                        throw ContainerEngineException.Invalid(
                            $"Mount type \"{value}\" in {origin} is not supported: use bind, volume or tmpfs (npipe is Windows-only; image and cluster mounts are not supported).", text);
                    }

                    break;
                case "source" or "src":
                    request.Source = value;
                    break;
                case "target" or "dst" or "destination":
                    request.Target = value;
                    break;
                case "readonly" or "ro":
                    request.ReadOnly = ParseBool(value, key, origin, text);
                    break;
                case "consistency":
                    if (!Consistencies.Contains(value.ToLowerInvariant()))
                    {
                        throw ContainerEngineException.Invalid($"Invalid consistency \"{value}\" in {origin}: use consistent, cached, delegated or default.", text);
                    }

                    // Only Docker Desktop's file sharing looks at it; on Linux it changes nothing, for docker as here.
                    break;
                case "bind-propagation":
                    var propagation = value.ToLowerInvariant();
                    if (!Propagations.Contains(propagation))
                    {
                        throw ContainerEngineException.Invalid($"Invalid bind-propagation \"{value}\" in {origin}: use private, rprivate, shared, rshared, slave or rslave.", text);
                    }

                    request.Propagation = propagation;
                    bindOptions = true;
                    break;
                case "bind-nonrecursive":
                    request.NonRecursive = ParseBool(value, key, origin, text);
                    bindOptions = true;
                    break;
                case "bind-recursive":
                    request.NonRecursive = value.ToLowerInvariant() switch
                    {
                        "enabled" => false,
                        "disabled" => true,
                        "writable" or "readonly" => throw ContainerEngineException.Invalid(
                            $"bind-recursive={value} in {origin} is not supported (it needs recursive read-only mounts); use enabled or disabled.", text),
                        _ => throw ContainerEngineException.Invalid($"Invalid bind-recursive \"{value}\" in {origin}: use enabled or disabled.", text),
                    };
                    bindOptions = true;
                    break;
                case "volume-nocopy":
                    request.NoCopy = ParseBool(value, key, origin, text);
                    volumeOptions = true;
                    break;
                case "volume-subpath":
                    request.SubPath = value;
                    volumeOptions = true;
                    break;
                case "volume-label":
                    SetOnMap(request.VolumeLabels, value);
                    volumeOptions = true;
                    break;
                case "volume-driver":
                    if (value != "local")
                    {
                        throw ContainerEngineException.Invalid($"Volume driver \"{value}\" in {origin} is not available: only the local driver is.", text);
                    }

                    volumeOptions = true;
                    break;
                case "volume-opt":
                    SetOnMap(request.VolumeOptions, value);
                    volumeOptions = true;
                    break;
                case "tmpfs-size":
                    size = ParseSize(value) is { } bytes and > 0 ? bytes
                        : throw ContainerEngineException.Invalid($"Invalid value for tmpfs-size: {value} in {origin} (give bytes, or a number with k, m or g).", text);
                    tmpfsOptions = true;
                    break;
                case "tmpfs-mode":
                    fileMode = uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _) && value.All(c => c is >= '0' and <= '7')
                        ? Convert.ToUInt32(value, 8)
                        : throw ContainerEngineException.Invalid($"Invalid value for tmpfs-mode: {value} in {origin} (give an octal mode such as 1777).", text);
                    tmpfsOptions = true;
                    break;
                default:
                    throw ContainerEngineException.Invalid($"Unexpected key '{key}' in '{field}' ({origin}).", text);
            }
        }

        if (request.Target.Length == 0)
        {
            throw ContainerEngineException.Invalid($"target is required in {origin}.", text);
        }

        if (volumeOptions == true && request.Type != MountTypes.Volume)
        {
            throw ContainerEngineException.Invalid($"Cannot mix 'volume-*' options with mount type '{request.Type}' ({origin}).", text);
        }

        if (bindOptions == true && request.Type != MountTypes.Bind)
        {
            throw ContainerEngineException.Invalid($"Cannot mix 'bind-*' options with mount type '{request.Type}' ({origin}).", text);
        }

        if (tmpfsOptions == true && request.Type != MountTypes.Tmpfs)
        {
            throw ContainerEngineException.Invalid($"Cannot mix 'tmpfs-*' options with mount type '{request.Type}' ({origin}).", text);
        }

        switch (request.Type)
        {
            case MountTypes.Bind:
                if (request.Source.Length == 0)
                {
                    throw ContainerEngineException.Invalid($"Invalid mount config for type \"bind\": field Source must not be empty ({origin}).", text);
                }

                request.Source = ResolveHostPath(request.Source, baseDirectory, homeDirectory, origin);
                if (!request.Source.StartsWith('/'))
                {
                    throw ContainerEngineException.Invalid(
                        $"Invalid mount config for type \"bind\": invalid mount path: '{request.Source}' mount path must be absolute ({origin}; ./relative paths resolve against the current location).", text);
                }

                break;
            case MountTypes.Volume:
                if (request.Source.Length > 0)
                {
                    ValidateVolumeName(request.Source);
                }
                else if (request.VolumeOptions.Count > 0 || request.VolumeLabels.Count > 0)
                {
                    // docker creates an anonymous volume with them; keep that, the options are applied to it.
                }

                if (request.SubPath is { } sub && (sub.Length == 0 || sub.StartsWith('/') || sub.Split('/').Contains("..")))
                {
                    throw ContainerEngineException.Invalid($"Invalid volume-subpath \"{sub}\" in {origin}: give a relative path inside the volume without '..'.", text);
                }

                if (request.SubPath is not null && request.Source.Length == 0)
                {
                    throw ContainerEngineException.Invalid($"volume-subpath needs a named volume (source=NAME) in {origin}.", text);
                }

                break;
            case MountTypes.Tmpfs:
                if (request.Source.Length > 0)
                {
                    throw ContainerEngineException.Invalid($"Invalid mount config for type \"tmpfs\": field Source must not be specified ({origin}).", text);
                }

                if (request.ReadOnly)
                {
                    request.TmpfsOptions.Add("ro");
                }

                if (size is { } s)
                {
                    request.TmpfsOptions.Add("size=" + s.ToString(CultureInfo.InvariantCulture));
                }

                if (fileMode is { } m)
                {
                    request.TmpfsOptions.Add("mode=" + Convert.ToString(m, 8));
                }

                break;
        }

        ValidateTarget(request);
        return request;
    }

    /// <summary>-Tmpfs DST[:OPTIONS]: a tmpfs with mount options (size=64m,mode=1777,exec, ...) as docker run --tmpfs.</summary>
    public static MountRequest ParseTmpfs(string text)
    {
        var origin = $"-Tmpfs '{text}'";
        var colon = text.IndexOf(':');
        var request = new MountRequest
        {
            Type = MountTypes.Tmpfs,
            Target = colon < 0 ? text : text[..colon],
            Origin = origin,
        };
        if (colon >= 0)
        {
            foreach (var option in text[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var key = option.Split('=', 2)[0];
                if (TmpfsDataKeys.Contains(key))
                {
                    if (key == "size" && ParseSize(option[(key.Length + 1)..]) is null)
                    {
                        throw ContainerEngineException.Invalid($"Invalid tmpfs size \"{option}\" in {origin}: give bytes, or a number with k, m or g (size=64m).", text);
                    }

                    request.TmpfsOptions.Add(key == "size" ? "size=" + ParseSize(option[5..])!.Value.ToString(CultureInfo.InvariantCulture) : option);
                }
                else if (TmpfsFlagWords.Contains(option))
                {
                    request.TmpfsOptions.Add(option);
                    request.ReadOnly |= option == "ro";
                }
                else
                {
                    throw ContainerEngineException.Invalid(
                        $"Unknown tmpfs option \"{option}\" in {origin}: use size=, mode=, uid=, gid=, nr_inodes= or a mount flag (ro, exec, nosuid, ...).", text);
                }
            }
        }

        ValidateTarget(request);
        return request;
    }

    /// <summary>docker's RAMInBytes: 100, 64m, 1.5g, 512KiB (binary multiples); null when it is not a size.</summary>
    public static long? ParseSize(string text)
    {
        var match = SizePattern().Match(text);
        if (!match.Success || !double.TryParse(match.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }

        var unit = match.Groups[2].Success ? char.ToLowerInvariant(match.Groups[2].Value[0]) : ' ';
        var multiplier = unit switch
        {
            'k' => 1L << 10, 'm' => 1L << 20, 'g' => 1L << 30, 't' => 1L << 40, 'p' => 1L << 50, _ => 1L,
        };
        var bytes = number * multiplier;
        return bytes > long.MaxValue ? null : (long)bytes;
    }

    /// <summary>Splits one line the way Go's encoding/csv does (docker reads --mount with it): "quoted, fields" with "" for a quote.</summary>
    public static List<string> SplitCsv(string text, string origin)
    {
        if (string.IsNullOrEmpty(text))
        {
            throw ContainerEngineException.Invalid($"An empty {origin.Split(' ')[0]} value: give type=…,source=…,target=….", text);
        }

        var fields = new List<string>();
        var i = 0;
        while (true)
        {
            var field = new StringBuilder();
            if (i < text.Length && text[i] == '"')
            {
                var start = i;
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw ContainerEngineException.Invalid($"Parse error in {origin} at column {start + 1}: extraneous or missing \" in quoted-field.", text);
                    }

                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    field.Append(text[i++]);
                }

                if (i < text.Length && text[i] != ',')
                {
                    throw ContainerEngineException.Invalid($"Parse error in {origin} at column {i + 1}: extraneous or missing \" in quoted-field.", text);
                }
            }
            else
            {
                while (i < text.Length && text[i] != ',')
                {
                    if (text[i] == '"')
                    {
                        throw ContainerEngineException.Invalid($"Parse error in {origin} at column {i + 1}: bare \" in non-quoted-field (quote the whole field: \"key=value\").", text);
                    }

                    field.Append(text[i++]);
                }
            }

            fields.Add(field.ToString());
            if (i >= text.Length)
            {
                return fields;
            }

            i++; // the comma
        }
    }

    private static bool IsValidMode(string mode, out string why)
    {
        why = "";
        if (mode.Length == 0)
        {
            return true;
        }

        int rw = 0, label = 0, propagation = 0, copy = 0, consistency = 0;
        foreach (var word in mode.Split(','))
        {
            switch (word)
            {
                case "rw" or "ro":
                    rw++;
                    break;
                case "z" or "Z":
                    // SELinux relabelling: this engine runs without SELinux, where docker skips it too.
                    label++;
                    break;
                case "nocopy":
                    copy++;
                    break;
                default:
                    if (Propagations.Contains(word))
                    {
                        propagation++;
                    }
                    else if (Consistencies.Contains(word))
                    {
                        consistency++;
                    }
                    else
                    {
                        why = $"unknown option \"{word}\" (use ro or rw, z or Z, nocopy, and for binds private, rprivate, shared, rshared, slave or rslave)";
                        return false;
                    }

                    break;
            }
        }

        if (rw > 1 || label > 1 || propagation > 1 || copy > 1 || consistency > 1)
        {
            why = "each kind of option (ro/rw, z/Z, propagation, nocopy) may appear once";
            return false;
        }

        return true;
    }

    private static string ResolveHostPath(string source, string? baseDirectory, string? homeDirectory, string origin)
    {
        var relative = source is "." or ".." || source.StartsWith("./", StringComparison.Ordinal) || source.StartsWith("../", StringComparison.Ordinal);
        var home = source == "~" || source.StartsWith("~/", StringComparison.Ordinal);
        if (!relative && !home)
        {
            return source.StartsWith('/') ? Clean(source) : source;
        }

        var anchor = home ? homeDirectory : baseDirectory;
        if (anchor is null)
        {
            throw ContainerEngineException.Invalid($"The relative source \"{source}\" in {origin} needs a current directory; give an absolute path.", source);
        }

        return Clean(Path.GetFullPath(home ? source.TrimStart('~').TrimStart('/') : source, anchor));
    }

    private static string Clean(string path)
    {
        var full = Path.GetFullPath(path);
        return full.Length > 1 ? full.TrimEnd('/') : full;
    }

    private static void ValidateTarget(MountRequest request)
    {
        var target = request.Target;
        if (target.Length == 0 || !target.StartsWith('/'))
        {
            throw ContainerEngineException.Invalid(
                $"Invalid mount config for type \"{request.Type}\": invalid mount path: '{target}' mount path must be absolute ({request.Origin}).", target);
        }

        var clean = Path.GetFullPath(target);
        if (clean == "/")
        {
            throw ContainerEngineException.Invalid($"Invalid specification: destination can't be '/' ({request.Origin}).", target);
        }

        request.Target = clean.TrimEnd('/');
    }

    private static bool ParseBool(string value, string key, string origin, string text) => value.ToLowerInvariant() switch
    {
        "1" or "t" or "true" => true,
        "0" or "f" or "false" => false,
        _ => throw ContainerEngineException.Invalid($"Invalid value for {key}: {value} ({origin}); use true or false.", text),
    };

    private static void SetOnMap(Dictionary<string, string> map, string value)
    {
        var eq = value.IndexOf('=');
        var key = eq < 0 ? value : value[..eq];
        if (key.Length > 0)
        {
            map[key] = eq < 0 ? "" : value[(eq + 1)..];
        }
    }

    private static ContainerEngineException InvalidSpec(string text, string why) =>
        ContainerEngineException.Invalid($"Invalid volume specification: '{text}': {why}.", text);
}
