using System.Text.Json;
using PSContainers.Core.Containers;
using PSContainers.Core.Images.Oci;

namespace PSContainers.Core.Images;

/// <summary>docker import --change: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR and STOPSIGNAL applied to a run config.</summary>
public static class ImageChanges
{
    public static void Apply(ImageRunConfig config, IEnumerable<string> changes)
    {
        foreach (var change in changes)
        {
            var text = change.Trim();
            var space = text.IndexOfAny([' ', '\t']);
            if (space <= 0)
            {
                throw Invalid(change, "an instruction needs an argument");
            }

            var instruction = text[..space].ToUpperInvariant();
            var argument = text[(space + 1)..].Trim();
            switch (instruction)
            {
                case "CMD":
                    config.Cmd = CommandOf(argument);
                    break;
                case "ENTRYPOINT":
                    config.Entrypoint = CommandOf(argument);
                    break;
                case "ENV":
                    config.Env ??= [];
                    foreach (var (name, value) in Pairs(argument, change))
                    {
                        config.Env.RemoveAll(e => e.StartsWith(name + "=", StringComparison.Ordinal));
                        config.Env.Add($"{name}={value}");
                    }

                    break;
                case "LABEL":
                    config.Labels ??= [];
                    foreach (var (name, value) in Pairs(argument, change))
                    {
                        config.Labels[name] = value;
                    }

                    break;
                case "EXPOSE":
                    config.ExposedPorts ??= [];
                    foreach (var port in argument.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    {
                        config.ExposedPorts[port.Contains('/') ? port : port + "/tcp"] = new EmptyObject();
                    }

                    break;
                case "VOLUME":
                    config.Volumes ??= [];
                    foreach (var volume in argument.StartsWith('[') ? JsonList(argument, change) : argument.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList())
                    {
                        config.Volumes[volume] = new EmptyObject();
                    }

                    break;
                case "USER":
                    config.User = argument;
                    break;
                case "WORKDIR":
                    config.WorkingDir = argument;
                    break;
                case "STOPSIGNAL":
                    config.StopSignal = argument;
                    break;
                default:
                    throw Invalid(change, $"{instruction} cannot be changed on import; use CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR or STOPSIGNAL");
            }
        }
    }

    // Exec form ["a","b"] as is; shell form through /bin/sh -c, as Dockerfiles do.
    private static List<string> CommandOf(string argument) =>
        argument.StartsWith('[') ? JsonList(argument, argument) : ["/bin/sh", "-c", argument];

    private static List<string> JsonList(string argument, string change)
    {
        try
        {
            return JsonSerializer.Deserialize(argument, OciJsonContext.Default.ListString) ?? [];
        }
        catch (JsonException e)
        {
            throw Invalid(change, "the JSON array is malformed: " + e.Message);
        }
    }

    private static IEnumerable<(string, string)> Pairs(string argument, string change)
    {
        if (!argument.Contains('='))
        {
            // ENV NAME value with spaces
            var space = argument.IndexOf(' ');
            if (space <= 0)
            {
                throw Invalid(change, "use NAME=VALUE or NAME VALUE");
            }

            yield return (argument[..space], argument[(space + 1)..].Trim());
            yield break;
        }

        foreach (var pair in SplitWords(argument))
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0)
            {
                throw Invalid(change, $"\"{pair}\" is not NAME=VALUE");
            }

            yield return (pair[..eq], pair[(eq + 1)..]);
        }
    }

    // Words separated by spaces; double quotes group and are removed.
    private static List<string> SplitWords(string text)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ' ' && !quoted)
            {
                if (current.Length > 0)
                {
                    words.Add(current.ToString());
                    current.Clear();
                }
            }
            else
            {
                current.Append(c);
            }
        }

        if (current.Length > 0)
        {
            words.Add(current.ToString());
        }

        return words;
    }

    private static ContainerEngineException Invalid(string change, string why) =>
        ContainerEngineException.Invalid($"Invalid -Change \"{change}\": {why}.", change);
}
