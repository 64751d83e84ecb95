using PSContainers.Core.Build.Parser;

namespace PSContainers.Core.Build.Instructions;

// One instruction's --flags checked against the flags it accepts, with BuildKit's BFlags rules and wording.
internal sealed class InstructionFlags
{
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _bools = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _lists = new(StringComparer.Ordinal);

    private InstructionFlags()
    {
    }

    public static InstructionFlags Parse(DockerfileNode node, string file, string[]? strings = null, string[]? bools = null, string[]? lists = null)
    {
        var result = new InstructionFlags();
        foreach (var raw in node.Flags)
        {
            if (!raw.StartsWith("--", StringComparison.Ordinal))
            {
                throw new DockerfileParseException(file, node.StartLine, $"arg should start with -- : {raw}");
            }

            var body = raw[2..];
            var eq = body.IndexOf('=');
            var name = eq >= 0 ? body[..eq] : body;
            var value = eq >= 0 ? body[(eq + 1)..] : null;
            if (strings?.Contains(name) == true)
            {
                if (value is null)
                {
                    throw new DockerfileParseException(file, node.StartLine, $"missing a value on flag: {name}");
                }

                if (!result._strings.TryAdd(name, value))
                {
                    throw new DockerfileParseException(file, node.StartLine, $"duplicate flag specified: {name}");
                }
            }
            else if (bools?.Contains(name) == true)
            {
                var flag = (value ?? "true").ToLowerInvariant() switch
                {
                    "true" or "" => true,
                    "false" => false,
                    _ => throw new DockerfileParseException(file, node.StartLine, $"expecting boolean value for flag {name}, not: {value}"),
                };
                if (!result._bools.TryAdd(name, flag))
                {
                    throw new DockerfileParseException(file, node.StartLine, $"duplicate flag specified: {name}");
                }
            }
            else if (lists?.Contains(name) == true)
            {
                if (value is null)
                {
                    throw new DockerfileParseException(file, node.StartLine, $"missing a value on flag: {name}");
                }

                if (!result._lists.TryGetValue(name, out var list))
                {
                    result._lists[name] = list = [];
                }

                list.Add(value);
            }
            else
            {
                throw new DockerfileParseException(file, node.StartLine, $"unknown flag: {name}");
            }
        }

        return result;
    }

    public string? String(string name) => _strings.TryGetValue(name, out var value) ? value : null;

    public bool Bool(string name) => _bools.TryGetValue(name, out var value) && value;

    public bool Given(string name) => _strings.ContainsKey(name) || _bools.ContainsKey(name) || _lists.ContainsKey(name);

    public IReadOnlyList<string> List(string name) => _lists.TryGetValue(name, out var value) ? value : [];
}
