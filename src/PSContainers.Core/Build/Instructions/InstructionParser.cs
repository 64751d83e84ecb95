using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using PSContainers.Core.Build.Parser;

namespace PSContainers.Core.Build.Instructions;

/// <summary>Nodes to typed instructions and stages; unknown instructions and flags are errors that name them.</summary>
/// <remarks>The argument rules (which instruction takes JSON, words or name=value pairs) and the wording of errors follow BuildKit's instructions package.</remarks>
public static partial class InstructionParser
{
    [GeneratedRegex(@"^[a-z][a-z0-9\-_\.]*$")]
    private static partial Regex StageNameRegex();

    [GeneratedRegex(@"^\s*ONBUILD\s*", RegexOptions.IgnoreCase)]
    private static partial Regex OnBuildPrefixRegex();

    public static DockerfileModel Parse(DockerfileAst ast)
    {
        var globalArgs = new List<ArgInstruction>();
        var stages = new List<Stage>();
        FromInstruction? from = null;
        var body = new List<Instruction>();
        var names = new HashSet<string>(StringComparer.Ordinal);

        void Close()
        {
            if (from is not null)
            {
                stages.Add(new Stage { Index = stages.Count, From = from, Instructions = body });
                body = [];
            }
        }

        foreach (var node in ast.Nodes)
        {
            var instruction = ParseInstruction(node, ast.FileName, ast.EscapeToken);
            switch (instruction)
            {
                case FromInstruction f:
                    if (f.StageName is { } name && !names.Add(name))
                    {
                        throw new DockerfileParseException(ast.FileName, node.StartLine, $"duplicate stage name \"{name}\"");
                    }

                    Close();
                    from = f;
                    break;
                case ArgInstruction a when from is null:
                    globalArgs.Add(a);
                    break;
                default:
                    if (from is null)
                    {
                        throw new DockerfileParseException(ast.FileName, node.StartLine, $"no build stage in current context ({instruction.Keyword} before the first FROM)");
                    }

                    body.Add(instruction);
                    break;
            }
        }

        Close();
        if (stages.Count == 0)
        {
            throw new DockerfileParseException(ast.FileName, ast.Nodes[^1].EndLine, "dockerfile contains no stages to build");
        }

        var warnings = ast.Warnings.ToList();
        warnings.AddRange(stages.SelectMany(s => s.Instructions).OfType<MaintainerInstruction>()
            .Select(m => $"{ast.FileName}:{m.Line}: MAINTAINER is deprecated; LABEL org.opencontainers.image.authors is its successor"));
        return new DockerfileModel
        {
            FileName = ast.FileName,
            Warnings = warnings,
            EscapeToken = ast.EscapeToken,
            Syntax = ast.Syntax,
            GlobalArgs = globalArgs,
            Stages = stages,
        };
    }

    public static Instruction ParseInstruction(DockerfileNode node, string fileName, char escapeToken = '\\')
    {
        var p = new NodeReader(node, fileName, escapeToken);
        return node.Keyword switch
        {
            "FROM" => p.From(),
            "RUN" => p.Run(),
            "COPY" => p.Copy(),
            "ADD" => p.Add(),
            "ENV" => p.Env(),
            "ARG" => p.Arg(),
            "LABEL" => p.Label(),
            "EXPOSE" => p.Expose(),
            "WORKDIR" => new WorkdirInstruction { Path = p.One(), Original = node.Original, Line = node.StartLine, EndLine = node.EndLine },
            "USER" => new UserInstruction { User = p.One(), Original = node.Original, Line = node.StartLine, EndLine = node.EndLine },
            "STOPSIGNAL" => new StopSignalInstruction { Signal = p.One(), Original = node.Original, Line = node.StartLine, EndLine = node.EndLine },
            "MAINTAINER" => new MaintainerInstruction { Author = p.One(), Original = node.Original, Line = node.StartLine, EndLine = node.EndLine },
            "VOLUME" => p.Volume(),
            "CMD" => p.Cmd(),
            "ENTRYPOINT" => p.Entrypoint(),
            "SHELL" => p.Shell(),
            "HEALTHCHECK" => p.Healthcheck(),
            "ONBUILD" => p.OnBuild(),
            _ => throw new DockerfileParseException(fileName, node.StartLine, $"unknown instruction: {node.Keyword}"),
        };
    }

    private sealed class NodeReader(DockerfileNode node, string file, char escape)
    {
        private DockerfileParseException Error(string reason) => new(file, node.StartLine, reason);

        private InstructionFlags Flags(string[]? strings = null, string[]? bools = null, string[]? lists = null) =>
            InstructionFlags.Parse(node, file, strings, bools, lists);

        private string Args => node.Arguments;

        private static List<string> Whitespace(string text) =>
            text.Split([' ', '\t', '\v', '\f', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries).ToList();

        // A JSON array of strings, or null when the text is not JSON (then it is shell form, as docker falls back).
        private List<string>? Json(string text)
        {
            text = text.Trim();
            if (!text.StartsWith('['))
            {
                return null;
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(text);
            }
            catch (JsonException)
            {
                return null;
            }

            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Array)
                {
                    return null;
                }

                var result = new List<string>();
                foreach (var element in document.RootElement.EnumerateArray())
                {
                    if (element.ValueKind != JsonValueKind.String)
                    {
                        throw Error("when using JSON array syntax, arrays must be comprised of strings only");
                    }

                    result.Add(element.GetString()!);
                }

                return result;
            }
        }

        public string One()
        {
            Flags();
            if (Args.Length == 0)
            {
                throw Error($"{node.Keyword} requires exactly one argument");
            }

            return Args;
        }

        public FromInstruction From()
        {
            var flags = Flags(strings: ["platform"]);
            var args = Whitespace(Args);
            if (!(args.Count == 1 || (args.Count == 3 && args[1].Equals("as", StringComparison.OrdinalIgnoreCase))))
            {
                throw Error("FROM requires either one or three arguments");
            }

            string? stageName = null;
            if (args.Count == 3)
            {
                stageName = args[2].ToLowerInvariant();
                if (!StageNameRegex().IsMatch(stageName))
                {
                    throw Error($"invalid name for build stage: \"{args[2]}\", name can't start with a number or contain symbols");
                }
            }

            return new FromInstruction
            {
                Image = args[0],
                StageName = stageName,
                Platform = flags.String("platform"),
                Original = node.Original,
                Line = node.StartLine,
                EndLine = node.EndLine,
            };
        }

        public RunInstruction Run()
        {
            var flags = Flags(strings: ["network", "security"], lists: ["mount"]);
            if (Args.Length == 0)
            {
                throw Error("RUN requires at least one argument");
            }

            var network = flags.String("network") switch
            {
                null or "default" => RunNetwork.Default,
                "none" => RunNetwork.None,
                "host" => RunNetwork.Host,
                var other => throw Error($"unsupported network mode \"{other}\" in --network (none, host or default)"),
            };
            if (flags.String("security") is { } security && security != "sandbox")
            {
                throw Error(security == "insecure"
                    ? "RUN --security=insecure is not supported: build steps always run sandboxed"
                    : $"unsupported security mode \"{security}\" in --security");
            }

            var mounts = flags.List("mount").Select(m => RunMountParser.Parse(m, Error)).ToList();
            var json = Json(Args);
            return new RunInstruction
            {
                Command = json ?? [Args],
                PrependShell = json is null,
                Mounts = mounts,
                MountSpecs = flags.List("mount"),
                Network = network,
                Heredocs = node.Heredocs,
                Original = node.Original,
                Line = node.StartLine,
                EndLine = node.EndLine,
            };
        }

        private (List<string> Sources, string Destination, bool Json, List<Heredoc> Heredocs) Paths()
        {
            var json = Json(Args);
            var words = json ?? Whitespace(Args);
            if (words.Count < 2)
            {
                throw Error($"{node.Keyword} requires at least two arguments, but only one was provided. Destination could not be determined");
            }

            var sources = new List<string>();
            var heredocs = new List<Heredoc>();
            foreach (var word in words[..^1])
            {
                var marker = json is null ? node.Heredocs.FirstOrDefault(h => IsMarkerFor(word, h)) : null;
                if (marker is not null)
                {
                    heredocs.Add(marker);
                }
                else
                {
                    sources.Add(word);
                }
            }

            return (sources, words[^1], json is not null, heredocs);
        }

        private static bool IsMarkerFor(string word, Heredoc heredoc)
        {
            var at = word.IndexOf("<<", StringComparison.Ordinal);
            if (at < 0 || !word[..at].All(char.IsAsciiDigit))
            {
                return false;
            }

            var name = word[(at + 2)..].TrimStart('-').Trim('"', '\'').Replace("\\", "", StringComparison.Ordinal);
            return name == heredoc.Name;
        }

        public CopyInstruction Copy()
        {
            var flags = Flags(strings: ["from", "chown", "chmod"], bools: ["link", "parents"], lists: ["exclude"]);
            if (flags.Given("parents"))
            {
                throw Error("COPY --parents is not supported");
            }

            var (sources, destination, json, heredocs) = Paths();
            return new CopyInstruction
            {
                Sources = sources,
                Destination = destination,
                From = flags.String("from"),
                Chown = flags.String("chown"),
                Chmod = flags.String("chmod"),
                Link = flags.Bool("link"),
                Exclude = flags.List("exclude"),
                Heredocs = heredocs,
                JsonForm = json,
                Original = node.Original,
                Line = node.StartLine,
                EndLine = node.EndLine,
            };
        }

        public AddInstruction Add()
        {
            var flags = Flags(strings: ["chown", "chmod", "checksum"], bools: ["link", "keep-git-dir"], lists: ["exclude"]);
            if (flags.Given("keep-git-dir"))
            {
                throw Error("ADD --keep-git-dir is not supported: git sources are not supported");
            }

            var (sources, destination, json, heredocs) = Paths();
            return new AddInstruction
            {
                Sources = sources,
                Destination = destination,
                Chown = flags.String("chown"),
                Chmod = flags.String("chmod"),
                Checksum = flags.String("checksum"),
                Link = flags.Bool("link"),
                Exclude = flags.List("exclude"),
                Heredocs = heredocs,
                JsonForm = json,
                Original = node.Original,
                Line = node.StartLine,
                EndLine = node.EndLine,
            };
        }

        // ENV and LABEL: "name=value ..." (quotes kept for expansion), or the legacy "name value" when the first word has no '='.
        private List<KeyValue> Pairs()
        {
            Flags();
            var words = DockerfileParser.RawWords(Args, escape);
            if (words.Count == 0)
            {
                throw Error($"{node.Keyword} requires at least one argument");
            }

            if (!words[0].Contains('='))
            {
                var parts = Args.Split([' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length < 2 || parts[1].Trim().Length == 0)
                {
                    throw Error($"{node.Keyword} must have two arguments");
                }

                return [new KeyValue(parts[0], parts[1].Trim())];
            }

            var pairs = new List<KeyValue>();
            foreach (var word in words)
            {
                var eq = word.IndexOf('=');
                if (eq < 0)
                {
                    throw Error($"Syntax error - can't find = in \"{word}\". Must be of the form: name=value");
                }

                if (eq == 0)
                {
                    throw Error($"{node.Keyword} names can not be blank");
                }

                pairs.Add(new KeyValue(word[..eq], word[(eq + 1)..]));
            }

            return pairs;
        }

        public EnvInstruction Env() => new() { Pairs = Pairs(), Original = node.Original, Line = node.StartLine, EndLine = node.EndLine };

        public LabelInstruction Label() => new() { Pairs = Pairs(), Original = node.Original, Line = node.StartLine, EndLine = node.EndLine };

        public ArgInstruction Arg()
        {
            Flags();
            var words = DockerfileParser.RawWords(Args, escape);
            if (words.Count == 0)
            {
                throw Error("ARG requires at least one argument");
            }

            var args = new List<ArgDeclaration>();
            foreach (var word in words)
            {
                var eq = word.IndexOf('=');
                var name = eq < 0 ? word : word[..eq];
                if (name.Length == 0)
                {
                    throw Error("ARG names can not be blank");
                }

                args.Add(new ArgDeclaration(name, eq < 0 ? null : word[(eq + 1)..]));
            }

            return new ArgInstruction { Args = args, Original = node.Original, Line = node.StartLine, EndLine = node.EndLine };
        }

        public ExposeInstruction Expose()
        {
            Flags();
            var ports = Whitespace(Args);
            if (ports.Count == 0)
            {
                throw Error("EXPOSE requires at least one argument");
            }

            return new ExposeInstruction { Ports = ports, Original = node.Original, Line = node.StartLine, EndLine = node.EndLine };
        }

        public VolumeInstruction Volume()
        {
            Flags();
            var paths = Json(Args) ?? Whitespace(Args);
            if (paths.Count == 0)
            {
                throw Error("VOLUME requires at least one argument");
            }

            if (paths.Any(p => p.Trim().Length == 0))
            {
                throw Error("VOLUME specified can not be an empty string");
            }

            return new VolumeInstruction { Paths = paths, Original = node.Original, Line = node.StartLine, EndLine = node.EndLine };
        }

        private (List<string> Command, bool Shell) Command()
        {
            Flags();
            var json = Json(Args);
            return json is not null ? (json, false) : ([Args], true);
        }

        public CmdInstruction Cmd()
        {
            var (command, shell) = Command();
            return new CmdInstruction { Command = command, PrependShell = shell, Original = node.Original, Line = node.StartLine, EndLine = node.EndLine };
        }

        public EntrypointInstruction Entrypoint()
        {
            var (command, shell) = Command();
            return new EntrypointInstruction { Command = command, PrependShell = shell, Original = node.Original, Line = node.StartLine, EndLine = node.EndLine };
        }

        public ShellInstruction Shell()
        {
            Flags();
            var json = Json(Args) ?? throw Error("SHELL requires the arguments to be in JSON form");
            if (json.Count == 0)
            {
                throw Error("SHELL requires at least one argument");
            }

            return new ShellInstruction { Shell = json, Original = node.Original, Line = node.StartLine, EndLine = node.EndLine };
        }

        public HealthcheckInstruction Healthcheck()
        {
            var flags = Flags(strings: ["interval", "timeout", "start-period", "start-interval", "retries"]);
            var parts = Args.Split([' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
            {
                throw Error("HEALTHCHECK requires at least one argument");
            }

            var type = parts[0].ToUpperInvariant();
            if (type == "NONE")
            {
                if (parts.Length > 1)
                {
                    throw Error("HEALTHCHECK NONE takes no arguments");
                }

                if (node.Flags.Count > 0)
                {
                    throw Error($"HEALTHCHECK NONE takes no options, but {node.Flags[0]} was given");
                }

                return new HealthcheckInstruction { Test = ["NONE"], Original = node.Original, Line = node.StartLine, EndLine = node.EndLine };
            }

            if (type != "CMD")
            {
                throw Error($"Unknown type \"{parts[0]}\" in HEALTHCHECK (try CMD)");
            }

            var rest = parts.Length > 1 ? parts[1].Trim() : "";
            if (rest.Length == 0)
            {
                throw Error("Missing command after HEALTHCHECK CMD");
            }

            var json = Json(rest);
            List<string> test = json is not null ? ["CMD", .. json] : ["CMD-SHELL", rest];
            int? retries = null;
            if (flags.String("retries") is { } r && r.Length > 0)
            {
                if (!int.TryParse(r, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var count))
                {
                    throw Error($"invalid value \"{r}\" for --retries: not a whole number");
                }

                if (count < 0)
                {
                    throw Error($"--retries cannot be negative ({count})");
                }

                retries = count;
            }

            return new HealthcheckInstruction
            {
                Test = test,
                Interval = Duration(flags, "interval"),
                Timeout = Duration(flags, "timeout"),
                StartPeriod = Duration(flags, "start-period"),
                StartInterval = Duration(flags, "start-interval"),
                Retries = retries,
                Original = node.Original,
                Line = node.StartLine,
                EndLine = node.EndLine,
            };
        }

        // Docker's parseOptInterval: empty or 0 means "not set", otherwise at least 1ms.
        private TimeSpan? Duration(InstructionFlags flags, string name)
        {
            var text = flags.String(name);
            if (string.IsNullOrEmpty(text))
            {
                return null;
            }

            if (!GoDuration.TryParse(text, out var value))
            {
                throw Error($"time: invalid duration \"{text}\" in --{name}");
            }

            if (value < TimeSpan.Zero)
            {
                throw Error($"Interval \"{name}\" cannot be negative");
            }

            if (value == TimeSpan.Zero)
            {
                return null;
            }

            if (value < TimeSpan.FromMilliseconds(1))
            {
                throw Error($"Interval \"{name}\" cannot be less than 1ms");
            }

            return value;
        }

        public OnBuildInstruction OnBuild()
        {
            Flags();
            if (Args.Length == 0)
            {
                throw Error("ONBUILD requires at least one argument");
            }

            var nested = DockerfileParser.NewNode(Args, node.StartLine, node.EndLine, file)! with { Heredocs = node.Heredocs };
            switch (nested.Keyword)
            {
                case "ONBUILD":
                    throw Error("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
                case "FROM" or "MAINTAINER":
                    throw Error($"{nested.Keyword} isn't allowed as an ONBUILD trigger");
            }

            var trigger = ParseInstruction(nested, file, escape);
            return new OnBuildInstruction
            {
                // With heredocs the trigger keeps their bodies, so it parses the same when the image is a base.
                Expression = OnBuildPrefixRegex().Replace(node.Original, "").Trim() + (node.HeredocText.Length > 0 ? "\n" + node.HeredocText : ""),
                Trigger = trigger,
                Original = node.Original,
                Line = node.StartLine,
                EndLine = node.EndLine,
            };
        }
    }
}
