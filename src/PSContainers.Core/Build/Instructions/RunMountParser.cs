using System.Globalization;
using System.Text;
using PSContainers.Core.Build.Parser;

namespace PSContainers.Core.Build.Instructions;

// RUN --mount=... values: comma-separated key=value fields (CSV quoting) with BuildKit's keys and defaults.
internal static class RunMountParser
{
    public static RunMount Parse(string value, Func<string, DockerfileParseException> error)
    {
        var fields = CsvFields(value, error);
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

        void Only(bool given, string key, params RunMountType[] types)
        {
            if (given && !types.Contains(type))
            {
                throw error($"{key} is not an option of --mount type={typeText}");
            }
        }

        Only(from is not null, "from", RunMountType.Bind, RunMountType.Cache);
        Only(size is not null, "size", RunMountType.Tmpfs);
        Only(sharing != CacheSharing.Shared, "sharing", RunMountType.Cache);
        Only(required || env is not null, required ? "required" : "env", RunMountType.Secret);
        Only(source is not null, "source", RunMountType.Bind, RunMountType.Cache, RunMountType.Secret);
        Only(id is not null, "id", RunMountType.Cache, RunMountType.Secret);
        Only(mode is not null || uid is not null || gid is not null, "mode/uid/gid", RunMountType.Cache, RunMountType.Secret);

        if (type == RunMountType.Secret)
        {
            if (target is null && id is null && env is null)
            {
                throw error("a secret mount needs id=, target= or env=");
            }

            id ??= target is not null ? target.TrimEnd('/').Split('/')[^1] : env;
            if (target is null && env is null)
            {
                target = "/run/secrets/" + id;
            }

            return new RunMount
            {
                Type = type, Target = target, Id = id, Source = source, Env = env, Required = required,
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
