using PSContainers.Core.Build.Parser;

namespace PSContainers.Core.Build.Instructions;

/// <summary>The variables in effect at one point of a stage: the image's ENV and the declared ARGs. The builder calls Apply for ARG and ENV in order and Expand for the other instructions.</summary>
/// <remarks>ENV beats ARG of the same name whatever their order, as docker documents and podman does.</remarks>
public sealed class StageVariables
{
    private readonly string _file;
    private readonly ShellWordExpander _expander;
    private readonly IReadOnlyDictionary<string, string> _globals;
    private readonly BuildArguments _arguments;
    private readonly List<KeyValuePair<string, string>> _env = [];
    private readonly List<KeyValuePair<string, string?>> _args = [];
    private Dictionary<string, string>? _scope;

    internal StageVariables(string file, char escape, IReadOnlyDictionary<string, string> globals, BuildArguments arguments, IEnumerable<string> baseImageEnv)
    {
        _file = file;
        _expander = new ShellWordExpander(escape);
        _globals = globals;
        _arguments = arguments;
        foreach (var entry in baseImageEnv)
        {
            var eq = entry.IndexOf('=');
            SetEnv(eq < 0 ? entry : entry[..eq], eq < 0 ? "" : entry[(eq + 1)..]);
        }
    }

    /// <summary>The image config's Env after the ENV lines applied so far, in docker's order ("K=V").</summary>
    public IReadOnlyList<string> Environment => _env.Select(p => $"{p.Key}={p.Value}").ToList();

    /// <summary>The declared ARGs that have a value, in declaration order ("K=V"): they join RUN's environment and its cache key (docker's "|N K=V" in created_by).</summary>
    public IReadOnlyList<string> CacheKeyArgs => _args.Where(a => a.Value is not null).Select(a => $"{a.Key}={a.Value}").ToList();

    /// <summary>RUN's environment: Environment, then declared ARGs that no ENV shadows, then proxy -BuildArgs not declared (those stay out of the cache key).</summary>
    public IReadOnlyList<string> RunEnvironment
    {
        get
        {
            var result = Environment.ToList();
            var names = new HashSet<string>(_env.Select(p => p.Key), StringComparer.Ordinal);
            foreach (var (key, value) in _args)
            {
                if (value is not null && names.Add(key))
                {
                    result.Add($"{key}={value}");
                }
            }

            foreach (var (key, value) in _arguments.Values)
            {
                if (BuildArguments.ProxyArgNames.Contains(key) && names.Add(key))
                {
                    result.Add($"{key}={value}");
                }
            }

            return result;
        }
    }

    /// <summary>The names and values a word sees now: ARGs, then ENV over them.</summary>
    public IReadOnlyDictionary<string, string> Scope
    {
        get
        {
            // Made again only after an ARG or ENV changed it: every word of every instruction looks here.
            if (_scope is not null)
            {
                return _scope;
            }

            var scope = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in _args)
            {
                if (value is not null)
                {
                    scope[key] = value;
                }
            }

            foreach (var (key, value) in _env)
            {
                scope[key] = value;
            }

            return _scope = scope;
        }
    }

    /// <summary>Declares the ARGs of one line: a -BuildArg beats the default (expanded now), and an ARG without default takes the global ARG's value.</summary>
    public void Apply(ArgInstruction arg)
    {
        foreach (var declaration in arg.Args)
        {
            string? value;
            if (_arguments.TryGetValue(declaration.Name, out var given))
            {
                value = given;
            }
            else if (declaration.Default is { } text)
            {
                value = Word(text, arg.Line);
            }
            else
            {
                value = _globals.TryGetValue(declaration.Name, out var global) ? global : null;
            }

            _args.RemoveAll(a => a.Key == declaration.Name);
            _args.Add(new(declaration.Name, value));
            _scope = null;
        }
    }

    /// <summary>Sets the ENV pairs; every value (and name) expands with the variables as they were before this line.</summary>
    public void Apply(EnvInstruction env)
    {
        var expanded = ((EnvInstruction)Expand(env)).Pairs;
        foreach (var pair in expanded)
        {
            SetEnv(pair.Key, pair.Value);
        }
    }

    /// <summary>The instruction with its words expanded where docker expands them (ADD COPY ENV EXPOSE LABEL STOPSIGNAL USER VOLUME WORKDIR and the --from/--chown/--chmod flags);
    /// RUN comes back with its --mount values expanded and its command as written; CMD, ENTRYPOINT, SHELL, HEALTHCHECK, ONBUILD and MAINTAINER come back unchanged.</summary>
    public Instruction Expand(Instruction instruction) =>
        InstructionExpander.Expand(instruction, word => Word(word, instruction.Line), word => Words(word, instruction.Line),
            reason => new DockerfileParseException(_file, instruction.Line, reason));

    /// <summary>A heredoc body with variables expanded and quotes left as they are (an unquoted delimiter); the body itself when its delimiter was quoted.</summary>
    public string ExpandHeredoc(Heredoc heredoc, int line)
    {
        if (!heredoc.Expand)
        {
            return heredoc.Content;
        }

        // BuildKit expands heredoc bodies with \ as the escape whatever "# escape=" says, and leaves quotes alone.
        var expander = new ShellWordExpander('\\', processQuotes: false);
        return BuildArguments.Expand(expander, heredoc.Content, Scope, _file, line);
    }

    private string Word(string word, int line) => BuildArguments.Expand(_expander, word, Scope, _file, line);

    private IReadOnlyList<string> Words(string word, int line)
    {
        try
        {
            return _expander.ProcessWords(word, Scope);
        }
        catch (WordExpansionException ex)
        {
            throw new DockerfileParseException(_file, line, ex.Message, ex);
        }
    }

    private void SetEnv(string key, string value)
    {
        _scope = null;
        var index = _env.FindIndex(p => p.Key == key);
        if (index >= 0)
        {
            _env[index] = new(key, value);
        }
        else
        {
            _env.Add(new(key, value));
        }
    }
}
