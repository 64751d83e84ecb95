using PSContainers.Core.Build.Parser;

namespace PSContainers.Core.Build.Instructions;

/// <summary>The build's ARG values (-BuildArg) and the predefined ones; evaluates the global ARGs for FROM lines and starts each stage's variable scope.</summary>
public sealed class BuildArguments
{
    /// <summary>Proxy args: usable in RUN without an ARG line, and then kept out of the cache key and history, as docker does.</summary>
    public static readonly IReadOnlySet<string> ProxyArgNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy",
        "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy",
    };

    /// <summary>Platform args: set automatically in the global scope; a stage sees them only after an ARG line names them.</summary>
    public static readonly IReadOnlyList<string> PlatformArgNames =
    [
        "TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT",
        "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT",
    ];

    private readonly Dictionary<string, string> _values;
    private readonly HashSet<string> _consumed = new(StringComparer.Ordinal);

    public BuildArguments(IReadOnlyDictionary<string, string>? buildArgs = null, PlatformArgs? target = null, PlatformArgs? build = null)
    {
        _values = new Dictionary<string, string>(buildArgs ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        var host = new PlatformArgs("linux", "amd64");
        target ??= host;
        build ??= host;
        Predefined = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["TARGETPLATFORM"] = target.Platform,
            ["TARGETOS"] = target.OS,
            ["TARGETARCH"] = target.Architecture,
            ["TARGETVARIANT"] = target.Variant,
            ["BUILDPLATFORM"] = build.Platform,
            ["BUILDOS"] = build.OS,
            ["BUILDARCH"] = build.Architecture,
            ["BUILDVARIANT"] = build.Variant,
        };
    }

    /// <summary>The values of the predefined platform args.</summary>
    public IReadOnlyDictionary<string, string> Predefined { get; }

    /// <summary>The -BuildArg values as given.</summary>
    public IReadOnlyDictionary<string, string> Values => _values;

    /// <summary>-BuildArg names that no ARG line (and no proxy use) consumed; docker warns about them.</summary>
    public IReadOnlyList<string> Unconsumed =>
        _values.Keys.Where(k => !_consumed.Contains(k) && !ProxyArgNames.Contains(k)).Order(StringComparer.Ordinal).ToList();

    /// <summary>The global scope: the predefined args, then each global ARG in order (a -BuildArg beats its default; a default expands with the args before it).
    /// A declared ARG without value and without -BuildArg is left out, so ${X:-d} sees it unset.</summary>
    public IReadOnlyDictionary<string, string> EvaluateGlobals(DockerfileModel model)
    {
        var scope = new Dictionary<string, string>(Predefined, StringComparer.Ordinal);
        var expander = new ShellWordExpander(model.EscapeToken);
        foreach (var arg in model.GlobalArgs)
        {
            foreach (var declaration in arg.Args)
            {
                if (_values.TryGetValue(declaration.Name, out var given))
                {
                    _consumed.Add(declaration.Name);
                    scope[declaration.Name] = given;
                }
                else if (declaration.Default is { } text)
                {
                    scope[declaration.Name] = Expand(expander, text, scope, model.FileName, arg.Line);
                }
            }
        }

        return scope;
    }

    /// <summary>FROM with its image and platform expanded in the global scope.</summary>
    public static FromInstruction ExpandFrom(DockerfileModel model, FromInstruction instruction, IReadOnlyDictionary<string, string> globals)
    {
        var expander = new ShellWordExpander(model.EscapeToken);
        var image = Expand(expander, instruction.Image, globals, model.FileName, instruction.Line);
        if (image.Length == 0)
        {
            throw new DockerfileParseException(model.FileName, instruction.Line, $"base name ({instruction.Image}) should not be blank");
        }

        return instruction with
        {
            Image = image,
            Platform = instruction.Platform is { } p ? Expand(expander, p, globals, model.FileName, instruction.Line) : null,
        };
    }

    /// <summary>A stage's variable scope, starting from its base image's environment ("K=V" strings).</summary>
    public StageVariables BeginStage(DockerfileModel model, IReadOnlyDictionary<string, string> globals, IEnumerable<string> baseImageEnv) =>
        new(model.FileName, model.EscapeToken, globals, this, baseImageEnv);

    internal bool TryGetValue(string name, out string value)
    {
        if (_values.TryGetValue(name, out value!))
        {
            _consumed.Add(name);
            return true;
        }

        return false;
    }

    internal static string Expand(ShellWordExpander expander, string word, IReadOnlyDictionary<string, string> scope, string file, int line)
    {
        try
        {
            return expander.ProcessWord(word, scope);
        }
        catch (WordExpansionException ex)
        {
            throw new DockerfileParseException(file, line, ex.Message, ex);
        }
    }
}
