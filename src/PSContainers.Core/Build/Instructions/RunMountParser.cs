using System.Globalization;
using System.Text;
using PSContainers.Core.Build.Parser;

namespace PSContainers.Core.Build.Instructions;

// RUN --mount=... values: comma-separated key=value fields (CSV quoting) with BuildKit's keys and defaults.
internal static class RunMountParser
{
    /// <param name="expand">Null when parsing the Dockerfile: values with a $ are kept as written and checked again once expanded
    /// (BuildKit expands every value at dispatch); from= may not hold a variable, since stage dependencies are known before any expansion.</param>
    public static RunMount Parse(string value, Func<string, DockerfileParseException> error, Func<string, string>? expand = null)
    {
        var fields = CsvFields(value, error).Select(f => Expand(f, expand, error)).ToList();
        var type = RunMountType.Bind;
        var typeText = "bind";
        foreach (var field in fields)
        {
            var (key, v) = Split(field);
            if (key.Equals("type", StringComparison.OrdinalIgnoreCase))
            {
                typeText = (v ?? "").ToLowerInvariant();
                type = typeText switch
                {
                    "bind" => RunMountType.Bind,
                    "cache" => RunMountType.Cache,
                    "tmpfs" => RunMountType.Tmpfs,
                    "secret" => RunMountType.Secret,
                    "ssh" => throw error("RUN --mount=type=ssh is not supported: there is no SSH agent forwarding"),
                    _ => throw error($"unsupported mount type \"{v}\" in --mount={value}"),
                };
            }
        }

        string? target = null, source = null, from = null, id = null, env = null;
        bool? readOnly = null;
        var sharing = CacheSharing.Shared;
        uint? mode = null, uid = null, gid = null;
        long? size = null;
        var required = false;
        foreach (var field in fields)
        {
            var (key, v) = Split(field);
            switch (key.ToLowerInvariant())
            {
                case "type":
                    break;
                case "target" or "dst" or "destination":
                    target = Need(key, v);
                    break;
                case "source" or "src":
                    source = Need(key, v);
                    break;
                case "from":
                    from = Need(key, v);
                    break;
                case "id":
                    id = Need(key, v);
                    break;
                case "readonly" or "ro":
                    readOnly = Bool(key, v);
                    break;
                case "readwrite" or "rw":
                    readOnly = !Bool(key, v);
                    break;
                case "sharing":
                    sharing = Need(key, v).ToLowerInvariant() switch
                    {
                        "shared" => CacheSharing.Shared,
                        "private" => CacheSharing.Private,
                        "locked" => CacheSharing.Locked,
                        var other => throw error($"unsupported sharing value \"{other}\" in --mount (shared, private or locked)"),
                    };
                    break;
                case "mode" or "uid" or "gid" or "size" or "sharing" or "required" or "readonly" or "ro" or "readwrite" or "rw" when Deferred(v, expand):
                    break;
                case "mode":
                    mode = Octal(key, Need(key, v));
                    break;
                case "uid":
                    uid = Number(key, Need(key, v));
                    break;
                case "gid":
                    gid = Number(key, Need(key, v));
                    break;
                case "size":
                    size = Size(Need(key, v));
                    break;
                case "required":
                    required = Bool(key, v);
                    break;
                case "env":
                    env = Need(key, v);
                    break;
                default:
                    throw error($"unexpected key '{key}' in '{field}'");
            }
        }

        // BuildKit's checks and wording first, then ours for options BuildKit would silently drop.
        void Unexpected(bool given, string key, params RunMountType[] types)
        {
            if (given && !types.Contains(type))
            {
                throw error($"unexpected key '{key}' for mount type '{typeText}'");
            }
        }

        Unexpected(size is not null, "size", RunMountType.Tmpfs);
        Unexpected(required, "required", RunMountType.Secret);
        foreach (var (given, key) in new[] { (mode is not null, "mode"), (uid is not null, "uid"), (gid is not null, "gid") })
        {
            if (given && type is not (RunMountType.Cache or RunMountType.Secret))
            {
                throw error($"{key} not allowed for \"{typeText}\" type mounts");
            }
        }

        if (type == RunMountType.Secret && from is not null)
        {
            throw error("secret mount should not have a from");
        }

        if (sharing != CacheSharing.Shared && type != RunMountType.Cache)
        {
            throw error($"invalid cache sharing set for {typeText} mount");
        }

        Unexpected(from is not null, "from", RunMountType.Bind, RunMountType.Cache);
        Unexpected(env is not null, "env", RunMountType.Secret);
        Unexpected(source is not null, "source", RunMountType.Bind, RunMountType.Cache, RunMountType.Secret);
        Unexpected(id is not null, "id", RunMountType.Cache, RunMountType.Secret);

        if (type == RunMountType.Secret)
        {
            if (source is not null && id is not null)
            {
                throw error("both source and id can't be set");
            }

            // For a secret, source= names the secret as id= does.
            id ??= source;
            if (target is null && id is null && env is null)
            {
                throw error("invalid secret mount. one of source, target required");
            }

            id ??= target is not null ? target.TrimEnd('/').Split('/')[^1] : env;
            if (target is null && env is null)
            {
                target = "/run/secrets/" + id;
            }

            return new RunMount
            {
                Type = type, Target = target, Id = id, Env = env, Required = required,
                Mode = mode ?? Convert.ToUInt32("400", 8), Uid = uid ?? 0, Gid = gid ?? 0, ReadOnly = true,
            };
        }

        if (target is null)
        {
            throw error($"--mount type={typeText} needs a target");
        }

        return type switch
        {
            RunMountType.Bind => new RunMount { Type = type, Target = target, Source = source, From = from, ReadOnly = readOnly ?? true },
            RunMountType.Cache => new RunMount
            {
                Type = type, Target = target, Source = source, From = from, ReadOnly = readOnly ?? false, Id = id ?? target,
                Sharing = sharing, Mode = mode ?? Convert.ToUInt32("755", 8), Uid = uid ?? 0, Gid = gid ?? 0,
            },
            _ => new RunMount { Type = type, Target = target, ReadOnly = readOnly ?? false, Size = size },
        };

        string Need(string key, string? v) => string.IsNullOrEmpty(v) ? throw error($"--mount option {key} needs a value") : v;

        bool Bool(string key, string? v) => (v ?? "true").ToLowerInvariant() switch
        {
            "true" or "1" => true,
            "false" or "0" => false,
            _ => throw error($"invalid value for {key}: {v}"),
        };

        uint Octal(string key, string v)
        {
            try
            {
                return Convert.ToUInt32(v, 8);
            }
            catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException)
            {
                throw error($"invalid value for {key}: {v} (an octal mode such as 0755)");
            }
        }

        uint Number(string key, string v) =>
            uint.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw error($"invalid value for {key}: {v}");

        long Size(string v)
        {
            // go-units RAMInBytes: a number with an optional b, k, m, g, t or p (binary multiples), case-insensitive.
            var text = v.Trim().ToLowerInvariant();
            var unit = text.TrimStart("0123456789.".ToCharArray());
            var number = text[..(text.Length - unit.Length)];
            if (unit.EndsWith('b') && unit.Length == 2)
            {
                unit = unit[..1];
            }

            long multiplier = unit switch
            {
                "" or "b" => 1,
                "k" => 1L << 10,
                "m" => 1L << 20,
                "g" => 1L << 30,
                "t" => 1L << 40,
                "p" => 1L << 50,
                _ => 0,
            };
            if (multiplier == 0 || !double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                throw error($"invalid size: '{v}'");
            }

            return (long)(amount * multiplier);
        }
    }

    // The value of key=value expanded; without an expander a deferred value keeps its $ and is marked so checks wait.
    private static string Expand(string field, Func<string, string>? expand, Func<string, DockerfileParseException> error)
    {
        var (key, value) = Split(field);
        if (value is null)
        {
            return field;
        }

        if (expand is not null)
        {
            return key + "=" + expand(value);
        }

        var dollar = value.IndexOf('$');
        if (key.Equals("from", StringComparison.OrdinalIgnoreCase) && dollar >= 0 && dollar != value.Length - 1)
        {
            throw error("'from' doesn't support variable expansion, define alias stage instead");
        }

        return field;
    }

    private static bool Deferred(string? value, Func<string, string>? expand) => expand is null && value?.Contains('$') == true;

    private static (string Key, string? Value) Split(string field)
    {
        var eq = field.IndexOf('=');
        return eq < 0 ? (field.Trim(), null) : (field[..eq].Trim(), field[(eq + 1)..]);
    }

    private static List<string> CsvFields(string value, Func<string, DockerfileParseException> error)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < value.Length; i++)
        {
            var ch = value[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < value.Length && value[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (ch == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(ch);
                }
            }
            else if (ch == '"')
            {
                quoted = true;
            }
            else if (ch == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(ch);
            }
        }

        if (quoted)
        {
            throw error($"unterminated quote in --mount={value}");
        }

        fields.Add(field.ToString());
        return fields.Where(f => f.Length > 0).ToList();
    }
}
