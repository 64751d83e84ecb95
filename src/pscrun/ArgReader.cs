namespace PSContainers.Pscrun;

/// <summary>Reads runc-style arguments: flags as --name value, --name=value or -x value, then positionals.</summary>
internal sealed class ArgReader
{
    private readonly List<string> _args;
    private int _pos;

    public ArgReader(IEnumerable<string> args)
    {
        _args = args.ToList();
    }

    public bool AtEnd => _pos >= _args.Count;

    public string? Peek() => AtEnd ? null : _args[_pos];

    public string Next() => AtEnd ? throw new UsageException("missing argument") : _args[_pos++];

    /// <summary>Consumes flags until the first positional; the callback gets name and a value reader.</summary>
    public void ReadFlags(Func<string, Func<string>, bool> onFlag)
    {
        while (!AtEnd)
        {
            var a = _args[_pos];
            if (a == "--")
            {
                _pos++;
                return;
            }

            if (!a.StartsWith('-') || a == "-")
            {
                return;
            }

            _pos++;
            string name = a;
            string? inline = null;
            var eq = a.IndexOf('=');
            if (a.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                name = a[..eq];
                inline = a[(eq + 1)..];
            }

            string Value() => inline ?? (AtEnd ? throw new UsageException($"flag {name} needs a value") : _args[_pos++]);
            if (!onFlag(name, Value))
            {
                throw new UsageException($"flag provided but not defined: {name}");
            }
        }
    }

    public List<string> Rest()
    {
        var rest = _args.Skip(_pos).ToList();
        _pos = _args.Count;
        return rest;
    }

    public static bool Bool(string value) => value is not ("false" or "0");
}
